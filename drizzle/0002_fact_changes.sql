CREATE TABLE "fact_changes" (
	"version" bigint NOT NULL,
	"employee_id" integer
);
--> statement-breakpoint
CREATE INDEX "fact_changes_version_idx" ON "fact_changes" USING btree ("version");--> statement-breakpoint
-- Each bump now also says what changed, so the facts cache can refresh only the people concerned.
CREATE OR REPLACE FUNCTION "bump_compliance_version"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  v bigint;
  people integer;
BEGIN
  -- Statement-level: once per statement, and only when the statement really changed rows.
  IF TG_OP <> 'TRUNCATE' THEN
    IF NOT EXISTS (SELECT 1 FROM changed_rows) THEN
      RETURN NULL;
    END IF;
  END IF;
  UPDATE data_versions SET version = version + 1 WHERE key = 'compliance' RETURNING version INTO v;
  -- New completions and exemptions (append-only history) touch only their people; anything else
  -- may touch everyone (employee_id null).
  people := NULL;
  IF TG_OP = 'INSERT' AND TG_TABLE_NAME IN ('completions', 'exemptions') THEN
    SELECT count(DISTINCT employee_id) INTO people FROM changed_rows;
  END IF;
  IF people IS NOT NULL AND people <= 500 THEN
    INSERT INTO fact_changes (version, employee_id) SELECT DISTINCT v, employee_id FROM changed_rows;
  ELSE
    INSERT INTO fact_changes (version, employee_id) VALUES (v, NULL);
  END IF;
  -- A cache more than 10,000 versions behind reads everything again anyway.
  IF v % 1000 = 0 THEN
    DELETE FROM fact_changes WHERE version <= v - 10000;
  END IF;
  RETURN NULL;
END
$$;
