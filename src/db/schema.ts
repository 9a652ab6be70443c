import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  type AnyPgColumn,
  check,
  date,
  index,
  integer,
  bigint,
  json,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { MailContent } from '../modules/mail/templates';

/**
 * The whole domain of DOMAIN.md in one schema. Dates that are calendar dates in Europe/Oslo are
 * `date` columns read as 'YYYY-MM-DD' strings; instants are `timestamptz`.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const orgUnits = pgTable(
  'org_units',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    parentId: integer('parent_id').references((): AnyPgColumn => orgUnits.id, { onDelete: 'restrict' }),
    /** kommune | sektor | virksomhet | avdeling – informational, the tree is what counts. */
    kind: text('kind').notNull().default('virksomhet'),
    /** Materialised path of ids, e.g. '/1/4/17/', so a subtree is one indexed prefix match. */
    path: text('path').notNull().default('/'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('org_units_code_uq').on(t.code),
    index('org_units_path_idx').on(t.path),
    index('org_units_parent_idx').on(t.parentId),
  ],
);

export const employees = pgTable(
  'employees',
  {
    id: serial('id').primaryKey(),
    employeeNumber: text('employee_number').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text('email'),
    unitId: integer('unit_id').references(() => orgUnits.id, { onDelete: 'set null' }),
    title: text('title'),
    roleTags: text('role_tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    hireDate: date('hire_date', { mode: 'string' }).notNull(),
    endDate: date('end_date', { mode: 'string' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('employees_number_uq').on(t.employeeNumber),
    index('employees_unit_idx').on(t.unitId),
    index('employees_email_idx').on(sql`lower(${t.email})`),
  ],
);

export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    /** Stored lower-case; the login name. */
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    employeeId: integer('employee_id').references(() => employees.id, { onDelete: 'set null' }),
    isAdmin: boolean('is_admin').notNull().default(false),
    disabled: boolean('disabled').notNull().default(false),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_email_uq').on(t.email), uniqueIndex('users_employee_uq').on(t.employeeId)],
);

/**
 * One-time links to set a password (decision 0006). Only the SHA-256 of the token is stored, so a
 * copy of the table cannot be used to log in; a link works once (used_at) and until expires_at.
 */
export const passwordTokens = pgTable(
  'password_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Hex SHA-256 of the token in the link. */
    tokenHash: text('token_hash').notNull(),
    /** 'self' (asked for on /glemt-passord) or 'hr' (sent from the employee record). */
    origin: text('origin').notNull(),
    /** HR's user when origin is 'hr'. */
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('password_tokens_hash_uq').on(t.tokenHash),
    index('password_tokens_user_idx').on(t.userId),
  ],
);

export const unitLeaders = pgTable(
  'unit_leaders',
  {
    unitId: integer('unit_id')
      .notNull()
      .references(() => orgUnits.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.userId] }), index('unit_leaders_user_idx').on(t.userId)],
);

export const courses = pgTable(
  'courses',
  {
    id: serial('id').primaryKey(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    builtin: boolean('builtin').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('courses_slug_uq').on(t.slug)],
);

export const courseVersions = pgTable(
  'course_versions',
  {
    id: serial('id').primaryKey(),
    courseId: integer('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** '1.2' | '2004'; null for a placeholder version without a package. */
    scormVersion: text('scorm_version'),
    title: text('title').notNull(),
    /** The parsed manifest: SCOs with launch paths and thresholds. */
    manifest: jsonb('manifest')
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** Folder of the extracted package, relative to DATA_DIR. */
    storagePath: text('storage_path'),
    contentHash: text('content_hash'),
    uploadedBy: integer('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('course_versions_course_version_uq').on(t.courseId, t.version)],
);

export const requirements = pgTable(
  'requirements',
  {
    id: serial('id').primaryKey(),
    courseId: integer('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    /** true: all active employees; false: the units in requirement_units (with sub-units). */
    audienceAll: boolean('audience_all').notNull().default(true),
    /** Narrows the audience to employees with at least one of these tags; empty = no narrowing. */
    audienceRoleTags: text('audience_role_tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    firstDeadline: date('first_deadline', { mode: 'string' }).notNull(),
    renewalMode: text('renewal_mode').notNull().default('cycle'),
    renewalMonths: integer('renewal_months').notNull().default(24),
    newHireMonths: integer('new_hire_months').notNull().default(12),
    dueSoonDays: integer('due_soon_days').notNull().default(30),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('requirements_renewal_mode_ck', sql`${t.renewalMode} in ('cycle', 'rolling')`),
    check(
      'requirements_months_ck',
      sql`${t.renewalMonths} > 0 and ${t.newHireMonths} >= 0 and ${t.dueSoonDays} >= 0`,
    ),
  ],
);

export const requirementUnits = pgTable(
  'requirement_units',
  {
    requirementId: integer('requirement_id')
      .notNull()
      .references(() => requirements.id, { onDelete: 'cascade' }),
    unitId: integer('unit_id')
      .notNull()
      .references(() => orgUnits.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.requirementId, t.unitId] })],
);

export const scormAttempts = pgTable(
  'scorm_attempts',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    employeeId: integer('employee_id').references(() => employees.id, { onDelete: 'set null' }),
    courseVersionId: integer('course_version_id')
      .notNull()
      .references(() => courseVersions.id, { onDelete: 'cascade' }),
    scoIdentifier: text('sco_identifier').notNull(),
    attemptNumber: integer('attempt_number').notNull().default(1),
    /** open | closed */
    state: text('state').notNull().default('open'),
    /** The whole CMI as the learner left it (suspend_data, interactions, objectives …). */
    cmi: jsonb('cmi')
      .notNull()
      .default(sql`'{}'::jsonb`),
    lastSequence: integer('last_sequence').notNull().default(-1),
    /** Server-side accumulated total time, ISO 8601 duration seconds. */
    totalTimeSeconds: integer('total_time_seconds').notNull().default(0),
    /** The session (launch) whose session_time was last added, so it is added once. */
    sessionCounted: text('session_counted'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('scorm_attempts_user_idx').on(t.userId, t.courseVersionId, t.scoIdentifier)],
);

export const scormCommits = pgTable(
  'scorm_commits',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    attemptId: integer('attempt_id')
      .notNull()
      .references(() => scormAttempts.id, { onDelete: 'cascade' }),
    sequence: integer('sequence').notNull(),
    /** applied | duplicate | stale */
    outcome: text('outcome').notNull(),
    body: jsonb('body').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('scorm_commits_attempt_idx').on(t.attemptId, t.sequence)],
);

export const completions = pgTable(
  'completions',
  {
    id: serial('id').primaryKey(),
    employeeId: integer('employee_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'cascade' }),
    courseId: integer('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'restrict' }),
    courseVersionId: integer('course_version_id').references(() => courseVersions.id, {
      onDelete: 'set null',
    }),
    completedOn: date('completed_on', { mode: 'string' }).notNull(),
    /** scorm | manual | import */
    source: text('source').notNull(),
    /** Free text: the reason for a manual entry, or the origin of imported history. */
    reason: text('reason'),
    attemptId: integer('attempt_id').references(() => scormAttempts.id, { onDelete: 'set null' }),
    /** Append-only: a correction is a new row that voids an older one. */
    voidsCompletionId: integer('voids_completion_id').references((): AnyPgColumn => completions.id),
    recordedBy: integer('recorded_by').references(() => users.id, { onDelete: 'set null' }),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('completions_employee_course_idx').on(t.employeeId, t.courseId, t.completedOn),
    uniqueIndex('completions_attempt_uq').on(t.attemptId),
    check('completions_source_ck', sql`${t.source} in ('scorm', 'manual', 'import', 'void')`),
  ],
);

export const exemptions = pgTable(
  'exemptions',
  {
    id: serial('id').primaryKey(),
    employeeId: integer('employee_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'cascade' }),
    requirementId: integer('requirement_id')
      .notNull()
      .references(() => requirements.id, { onDelete: 'cascade' }),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validUntil: date('valid_until', { mode: 'string' }),
    reason: text('reason').notNull(),
    /** A record that only cancels the exemption it voids, without granting a new one. */
    isVoid: boolean('is_void').notNull().default(false),
    voidsExemptionId: integer('voids_exemption_id').references((): AnyPgColumn => exemptions.id),
    recordedBy: integer('recorded_by').references(() => users.id, { onDelete: 'set null' }),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('exemptions_employee_idx').on(t.employeeId, t.requirementId)],
);

export const mailTemplates = pgTable(
  'mail_templates',
  {
    id: serial('id').primaryKey(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    subject: text('subject').notNull(),
    bodyText: text('body_text').notNull(),
    updatedBy: integer('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('mail_templates_key_uq').on(t.key)],
);

export const reminderSchedules = pgTable('reminder_schedules', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  /** A five-field cron expression in Europe/Oslo time. */
  cron: text('cron').notNull(),
  /** employee_due_soon | employee_due_today | employee_overdue | leader_digest | escalation */
  kinds: text('kinds').array().notNull(),
  /** Empty = every unit. */
  unitIds: integer('unit_ids')
    .array()
    .notNull()
    .default(sql`'{}'::int[]`),
  templateKey: text('template_key'),
  /** Interval and count for overdue repeats, escalation days, sending window, weekend/holiday rule. */
  options: jsonb('options')
    .notNull()
    .default(sql`'{}'::jsonb`),
  paused: boolean('paused').notNull().default(false),
  lastFiredAt: timestamp('last_fired_at', { withTimezone: true }),
  createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** What was reminded; its unique key is what makes a reminder happen once. */
export const reminderLog = pgTable(
  'reminder_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    scheduleId: integer('schedule_id').references(() => reminderSchedules.id, { onDelete: 'set null' }),
    kind: text('kind').notNull(),
    // A ledger keeps the ids it was written with, and employees, users and requirements are never
    // deleted (ended, disabled, deactivated): no foreign key, whose per-row check made a run of
    // 32,000 reminders spend more time checking than writing (see docs/reminders.md).
    employeeId: integer('employee_id'),
    requirementId: integer('requirement_id'),
    recipientUserId: integer('recipient_user_id'),
    dueDate: date('due_date', { mode: 'string' }),
    period: text('period').notNull(),
    /**
     * The outbox mail this reminder went out in, when that mail has a key of its own: an escalation
     * mail lists several people, each logged here with their own key. Null: the mail's key is this row's.
     */
    mailKey: text('mail_key'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('reminder_log_key_uq').on(t.idempotencyKey),
    index('reminder_log_employee_idx').on(t.employeeId),
  ],
);

export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    kind: text('kind').notNull(),
    toAddress: text('to_address').notNull(),
    toName: text('to_name'),
    subject: text('subject').notNull(),
    /**
     * What the mail says (the filled-in body and the sections); its text and HTML parts are
     * rendered from it when it is read. Mails written before 0005 have body_text and body_html
     * instead.
     */
    content: json('content').$type<MailContent>(),
    bodyText: text('body_text'),
    /** The mail's own HTML (paragraphs, sections); the sender adds the layout (`htmlDocument`). */
    bodyHtml: text('body_html'),
    /** pending | sending | sent | failed */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    smtpResponse: text('smtp_response'),
    messageId: text('message_id'),
    // Ledger ids without foreign keys, as in reminder_log.
    employeeId: integer('employee_id'),
    recipientUserId: integer('recipient_user_id'),
    scheduleId: integer('schedule_id').references(() => reminderSchedules.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('mail_outbox_key_uq').on(t.idempotencyKey),
    index('mail_outbox_due_idx').on(t.status, t.nextAttemptAt),
    index('mail_outbox_employee_idx').on(t.employeeId),
    check('mail_outbox_body_ck', sql`${t.content} is not null or ${t.bodyText} is not null`),
  ],
);

export const reviewTopics = pgTable('review_topics', {
  id: serial('id').primaryKey(),
  title: text('title').notNull(),
  builtin: boolean('builtin').notNull().default(false),
  /** How many reviews per calendar year are due; 1 = yearly. */
  timesPerYear: integer('times_per_year').notNull().default(1),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
});

export const unitReviews = pgTable(
  'unit_reviews',
  {
    id: serial('id').primaryKey(),
    unitId: integer('unit_id')
      .notNull()
      .references(() => orgUnits.id, { onDelete: 'cascade' }),
    topicId: integer('topic_id')
      .notNull()
      .references(() => reviewTopics.id, { onDelete: 'cascade' }),
    reviewedOn: date('reviewed_on', { mode: 'string' }).notNull(),
    participants: integer('participants').notNull(),
    note: text('note').notNull().default(''),
    recordedBy: integer('recorded_by').references(() => users.id, { onDelete: 'set null' }),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('unit_reviews_unit_idx').on(t.unitId, t.reviewedOn)],
);

/** Monthly snapshot per unit and course, so trends and last year's figures do not depend on today's data. */
export const complianceSnapshots = pgTable(
  'compliance_snapshots',
  {
    id: serial('id').primaryKey(),
    asOf: date('as_of', { mode: 'string' }).notNull(),
    unitId: integer('unit_id')
      .notNull()
      .references(() => orgUnits.id, { onDelete: 'cascade' }),
    requirementId: integer('requirement_id')
      .notNull()
      .references(() => requirements.id, { onDelete: 'cascade' }),
    counted: integer('counted').notNull(),
    done: integer('done').notNull(),
    todo: integer('todo').notNull(),
    dueSoon: integer('due_soon').notNull(),
    overdue: integer('overdue').notNull(),
    exempt: integer('exempt').notNull(),
    withValidCompletion: integer('with_valid_completion').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('compliance_snapshots_uq').on(t.asOf, t.unitId, t.requirementId)],
);

export const certificates = pgTable(
  'certificates',
  {
    id: serial('id').primaryKey(),
    /** Random, unguessable code in the verification link. */
    code: text('code').notNull(),
    completionId: integer('completion_id')
      .notNull()
      .references(() => completions.id, { onDelete: 'cascade' }),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('certificates_code_uq').on(t.code),
    uniqueIndex('certificates_completion_uq').on(t.completionId),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorUserId: integer('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    details: jsonb('details')
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [index('audit_log_entity_idx').on(t.entity, t.entityId), index('audit_log_at_idx').on(t.at)],
);

export const sessions = pgTable(
  'sessions',
  {
    sid: text('sid').primaryKey(),
    sess: jsonb('sess').notNull(),
    expire: timestamp('expire', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_expire_idx').on(t.expire)],
);

/** Small key/value state for the scheduler and the like. */
export const appState = pgTable('app_state', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: updatedAt(),
});

/**
 * Change counters, bumped by statement-level triggers (migration 0001) in the writing transaction:
 * 'compliance' changes whenever employees, units, courses, requirements, completions or exemptions
 * change, so a cache of those facts knows when it is stale.
 */
export const dataVersions = pgTable('data_versions', {
  key: text('key').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull().default(0),
});

/**
 * What each compliance version changed (migration 0002): one row per employee whose completions or
 * exemptions a statement inserted, or one row with employee_id null when anything else may have
 * changed (units, employees, requirements, updates, deletes, or very many people at once). The
 * facts cache refreshes just those employees when every version since its own is here with a
 * person; otherwise it reads everything again. Old rows are pruned by the trigger.
 */
export const factChanges = pgTable(
  'fact_changes',
  {
    version: bigint('version', { mode: 'number' }).notNull(),
    employeeId: integer('employee_id'),
  },
  (t) => [index('fact_changes_version_idx').on(t.version)],
);
