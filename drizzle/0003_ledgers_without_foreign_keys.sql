ALTER TABLE "mail_outbox" DROP CONSTRAINT "mail_outbox_employee_id_employees_id_fk";
--> statement-breakpoint
ALTER TABLE "mail_outbox" DROP CONSTRAINT "mail_outbox_recipient_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "reminder_log" DROP CONSTRAINT "reminder_log_employee_id_employees_id_fk";
--> statement-breakpoint
ALTER TABLE "reminder_log" DROP CONSTRAINT "reminder_log_requirement_id_requirements_id_fk";
--> statement-breakpoint
ALTER TABLE "reminder_log" DROP CONSTRAINT "reminder_log_recipient_user_id_users_id_fk";
