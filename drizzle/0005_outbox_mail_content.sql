-- A mail stores what it says (content: the filled-in body and the sections) instead of its rendered
-- text and HTML, which are rendered when the mail is read. Mails already in the outbox keep their
-- body_text and body_html and are sent as before.
ALTER TABLE "mail_outbox" ALTER COLUMN "body_text" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "content" json;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD CONSTRAINT "mail_outbox_body_ck" CHECK ("mail_outbox"."content" is not null or "mail_outbox"."body_text" is not null);