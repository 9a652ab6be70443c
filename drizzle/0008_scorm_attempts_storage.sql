-- Every SCORM commit rewrites its attempt's row, CMI and all (2–8 KB, often more), so the table is
-- stored for updates (docs/decisions/0012-scorm-attempts-storage.md):
-- half of each page is left free, so that the new version of a row fits on the row's own page. Such an
-- update (HOT) adds nothing to the indexes, and the page's dead versions are reclaimed the next time
-- it fills up, without VACUUM – which matters on PGlite, where no autovacuum runs.
ALTER TABLE "scorm_attempts" SET (fillfactor = 50);
--> statement-breakpoint
-- Where the server is built with lz4 (PostgreSQL packages for Debian and most others are), the CMI
-- is compressed with it instead of pglz: about 10–25 % larger, at a fraction of pglz's CPU time.
-- PGlite has only pglz, and keeps it.
DO $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)
  ) THEN
    ALTER TABLE "scorm_attempts" ALTER COLUMN "cmi" SET COMPRESSION lz4;
  END IF;
END
$$;
