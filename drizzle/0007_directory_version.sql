-- A second version beside 'compliance': who users are and what they lead, the unit tree, and the
-- yearly reviews. Every request reads it (one row by primary key), so that the logged-in user and
-- the units missing a review can be cached per version in each app process and still be current
-- in all of them (docs/decisions/0007-directory-version.md).
INSERT INTO "data_versions" ("key", "version") VALUES ('directory', floor(random() * 4503599627370496)::bigint);
--> statement-breakpoint
CREATE FUNCTION "bump_directory_version"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  -- Statement-level: once per statement, and only when the statement really changed rows.
  IF TG_OP = 'TRUNCATE' OR EXISTS (SELECT 1 FROM changed_rows) THEN
    UPDATE data_versions SET version = version + 1 WHERE key = 'directory';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A login writes users.last_login_at; only the columns a logged-in user is made of move the version.
CREATE FUNCTION "bump_directory_version_on_user_update"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.email, o.display_name, o.employee_id, o.is_admin, o.disabled)
      IS DISTINCT FROM (n.email, n.display_name, n.employee_id, n.is_admin, n.disabled)
  ) THEN
    UPDATE data_versions SET version = version + 1 WHERE key = 'directory';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "users_insert_bumps_directory" AFTER INSERT ON "users" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "users_update_bumps_directory" AFTER UPDATE ON "users" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version_on_user_update"();
--> statement-breakpoint
CREATE TRIGGER "users_delete_bumps_directory" AFTER DELETE ON "users" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "users_truncate_bumps_directory" AFTER TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "unit_leaders_insert_bumps_directory" AFTER INSERT ON "unit_leaders" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "unit_leaders_update_bumps_directory" AFTER UPDATE ON "unit_leaders" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "unit_leaders_delete_bumps_directory" AFTER DELETE ON "unit_leaders" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "unit_leaders_truncate_bumps_directory" AFTER TRUNCATE ON "unit_leaders" FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "org_units_insert_bumps_directory" AFTER INSERT ON "org_units" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "org_units_update_bumps_directory" AFTER UPDATE ON "org_units" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "org_units_delete_bumps_directory" AFTER DELETE ON "org_units" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "org_units_truncate_bumps_directory" AFTER TRUNCATE ON "org_units" FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "review_topics_insert_bumps_directory" AFTER INSERT ON "review_topics" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "review_topics_update_bumps_directory" AFTER UPDATE ON "review_topics" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "review_topics_delete_bumps_directory" AFTER DELETE ON "review_topics" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "review_topics_truncate_bumps_directory" AFTER TRUNCATE ON "review_topics" FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "unit_reviews_insert_bumps_directory" AFTER INSERT ON "unit_reviews" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "unit_reviews_update_bumps_directory" AFTER UPDATE ON "unit_reviews" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "unit_reviews_delete_bumps_directory" AFTER DELETE ON "unit_reviews" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
--> statement-breakpoint
CREATE TRIGGER "unit_reviews_truncate_bumps_directory" AFTER TRUNCATE ON "unit_reviews" FOR EACH STATEMENT EXECUTE FUNCTION "bump_directory_version"();
