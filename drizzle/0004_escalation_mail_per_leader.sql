ALTER TABLE "reminder_log" ADD COLUMN "mail_key" text;--> statement-breakpoint
-- Escalations now go out as one mail per leader and run, listing the people. A text HR edited for
-- the old one-person mail uses placeholders that no longer exist ({{ansatt}}, {{enhet}}, {{kurs}},
-- {{frist}}): it is kept in the audit log and removed, so the new standard text is used until HR
-- writes another.
INSERT INTO "audit_log" ("action", "entity", "entity_id", "details")
SELECT 'mail_template.reset', 'mail_template', "key",
  jsonb_build_object(
    'reason', 'Eskaleringer sendes nå samlet, én e-post per leder. Teksten brukte flettefelt som ikke finnes lenger.',
    'subject', "subject",
    'body', "body_text")
FROM "mail_templates"
WHERE ("key" = 'escalation' OR "key" LIKE 'escalation:%')
  AND ("subject" || ' ' || "body_text") ~* '\{\{\s*(ansatt|enhet|kurs|frist)\s*\}\}';
--> statement-breakpoint
DELETE FROM "mail_templates"
WHERE ("key" = 'escalation' OR "key" LIKE 'escalation:%')
  AND ("subject" || ' ' || "body_text") ~* '\{\{\s*(ansatt|enhet|kurs|frist)\s*\}\}';
