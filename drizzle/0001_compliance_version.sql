CREATE TABLE "data_versions" (
	"key" text PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- A random start, so that versions of different databases never coincide in one process.
INSERT INTO "data_versions" ("key", "version") VALUES ('compliance', floor(random() * 4503599627370496)::bigint);
--> statement-breakpoint
CREATE FUNCTION "bump_compliance_version"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  -- Statement-level: once per statement, and only when the statement really changed rows.
  IF TG_OP = 'TRUNCATE' OR EXISTS (SELECT 1 FROM changed_rows) THEN
    UPDATE data_versions SET version = version + 1 WHERE key = 'compliance';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "org_units_insert_bumps_compliance" AFTER INSERT ON "org_units" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "org_units_update_bumps_compliance" AFTER UPDATE ON "org_units" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "org_units_delete_bumps_compliance" AFTER DELETE ON "org_units" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "org_units_truncate_bumps_compliance" AFTER TRUNCATE ON "org_units" FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "employees_insert_bumps_compliance" AFTER INSERT ON "employees" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "employees_update_bumps_compliance" AFTER UPDATE ON "employees" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "employees_delete_bumps_compliance" AFTER DELETE ON "employees" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "employees_truncate_bumps_compliance" AFTER TRUNCATE ON "employees" FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "courses_insert_bumps_compliance" AFTER INSERT ON "courses" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "courses_update_bumps_compliance" AFTER UPDATE ON "courses" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "courses_delete_bumps_compliance" AFTER DELETE ON "courses" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "courses_truncate_bumps_compliance" AFTER TRUNCATE ON "courses" FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "requirements_insert_bumps_compliance" AFTER INSERT ON "requirements" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "requirements_update_bumps_compliance" AFTER UPDATE ON "requirements" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "requirements_delete_bumps_compliance" AFTER DELETE ON "requirements" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "requirements_truncate_bumps_compliance" AFTER TRUNCATE ON "requirements" FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "requirement_units_insert_bumps_compliance" AFTER INSERT ON "requirement_units" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "requirement_units_update_bumps_compliance" AFTER UPDATE ON "requirement_units" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "requirement_units_delete_bumps_compliance" AFTER DELETE ON "requirement_units" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "requirement_units_truncate_bumps_compliance" AFTER TRUNCATE ON "requirement_units" FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "completions_insert_bumps_compliance" AFTER INSERT ON "completions" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "completions_update_bumps_compliance" AFTER UPDATE ON "completions" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "completions_delete_bumps_compliance" AFTER DELETE ON "completions" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "completions_truncate_bumps_compliance" AFTER TRUNCATE ON "completions" FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "exemptions_insert_bumps_compliance" AFTER INSERT ON "exemptions" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "exemptions_update_bumps_compliance" AFTER UPDATE ON "exemptions" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "exemptions_delete_bumps_compliance" AFTER DELETE ON "exemptions" REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
--> statement-breakpoint
CREATE TRIGGER "exemptions_truncate_bumps_compliance" AFTER TRUNCATE ON "exemptions" FOR EACH STATEMENT EXECUTE FUNCTION "bump_compliance_version"();
