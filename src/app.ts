import path from 'node:path';
import express, { type Express } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { Config } from './config';
import type { Database } from './db/client';
import { createPassport } from './http/auth';
import { csrf } from './http/csrf';
import { createErrorHandler, notFoundHandler } from './http/error-handler';
import { DrizzleSessionStore } from './http/session-store';
import { buildMainMenu } from './http/main-menu';
import { routedOnly } from './http/routed-only';
import { createViewEngine } from './http/views';
import { createAuthRouter, firstRunGuard } from './modules/auth/auth.routes';
import { createHealthRouter } from './modules/health/health.routes';
import { createHomeRouter } from './modules/home/home.routes';
import { createDashboardRouter } from './modules/dashboard/dashboard.routes';
import { createReportsRouter } from './modules/reports/reports.routes';
import { createMyCoursesRouter } from './modules/my-courses/my-courses.routes';
import { createImportRouter } from './modules/import/import.routes';
import { createRecordsRouter } from './modules/records/records.routes';
import { createRequirementsRouter } from './modules/requirements/requirements.routes';
import { createScormCommitRouter, createScormRouter } from './modules/scorm/scorm.routes';
import { createCertificatesRouter } from './modules/certificates/certificates.routes';
import { createCoursesRouter } from './modules/courses/courses.routes';
import { createReviewsRouter } from './modules/reviews/reviews.routes';
import { createYearlyReportRouter } from './modules/yearly-report/yearly-report.routes';
import { createRemindersRouter } from './modules/reminders/reminders.routes';
import { createMailRouter } from './modules/mail/mail.routes';
import { createPasswordsRouter } from './modules/passwords/passwords.routes';
import { formatNorwegianDate } from './lib/dates';
import { STATUS_LABELS, STATUS_TAGS } from './modules/compliance/deadline-engine';

export interface AppDeps {
  config: Config;
  database: Database;
  /** The clock; tests pass a fixed one so that "today" is known. */
  now?: () => Date;
}

export interface AppContext extends Required<AppDeps> {
  sessionStore: DrizzleSessionStore;
}

const rootDir = path.resolve(__dirname, '..');

/** Builds the Express app with every middleware and router; never listens. */
export function createApp(deps: AppDeps): { app: Express; context: AppContext } {
  const { config, database } = deps;
  const context: AppContext = {
    config,
    database,
    now: deps.now ?? (() => new Date()),
    sessionStore: new DrizzleSessionStore(database.db),
  };
  const app = express();
  const viewsDir = path.join(rootDir, 'views');
  app.engine('ejs', createViewEngine(viewsDir, config.isProduction));
  app.set('view engine', 'ejs');
  // From the config, not from Express's own reading of NODE_ENV: without it, every render looks up
  // the view file on disk.
  app.set('view cache', config.isProduction);
  app.locals.buildMainMenu = buildMainMenu;
  app.set('views', viewsDir);
  app.set('trust proxy', config.isProduction ? 1 : false);
  app.disable('x-powered-by');

  // SCORM commits come from the content origin with a signed token, many per learner: first of all,
  // before helmet (pages' headers, meaningless on a JSON answer), static files, session, parsers
  // and CSRF. The router sets the headers its answers need.
  app.use(routedOnly(createScormCommitRouter(context)));

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          frameSrc: ["'self'", config.contentBaseUrl],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          upgradeInsecureRequests: config.isProduction ? [] : null,
        },
      },
      strictTransportSecurity: config.isProduction,
    }),
  );

  const staticOptions = { maxAge: config.isProduction ? '1d' : 0, fallthrough: true };
  app.use('/static', express.static(path.join(rootDir, 'public'), staticOptions));
  // Pages name the SVG icon; this answers clients that ask for the old default path anyway.
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/favicon.svg'));
  app.use(
    '/vendor/ds',
    express.static(path.join(rootDir, 'node_modules/@digdir/designsystemet-css/dist/src'), staticOptions),
  );
  app.use(
    '/vendor/ds-theme',
    express.static(path.join(rootDir, 'node_modules/@digdir/designsystemet-theme/brand'), staticOptions),
  );
  app.use('/vendor/chartjs', express.static(path.join(rootDir, 'node_modules/chart.js/dist'), staticOptions));

  // Everything below is rendered per request, most of it personal data (employees, statuses): no
  // browser or proxy keeps a copy (a shared computer in a kindergarten), and so no ETag either,
  // which Express would otherwise compute over every page.
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  app.use(routedOnly(createHealthRouter(context)));

  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  app.use(express.json({ limit: '100kb' }));

  context.sessionStore.startPruning();
  app.use(
    session({
      name: 'kursvakt.sid',
      secret: config.sessionSecret,
      store: context.sessionStore,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.isProduction && config.baseUrl.startsWith('https:'),
        maxAge: 8 * 60 * 60 * 1000,
      },
    }),
  );
  const passport = createPassport(database.db);
  app.use(passport.initialize());
  app.use(passport.session());

  app.use((req, res, next) => {
    res.locals.user = req.user ?? null;
    res.locals.currentPath = req.path;
    res.locals.formatDate = formatNorwegianDate;
    res.locals.statusLabels = STATUS_LABELS;
    res.locals.statusTags = STATUS_TAGS;
    res.locals.csrfToken = () => csrf.generateToken(req);
    res.locals.title = 'Kursvakt';
    next();
  });
  app.use(csrf.csrfSynchronisedProtection);
  app.use(firstRunGuard(context));

  app.use(routedOnly(createAuthRouter(context, passport)));
  app.use(routedOnly(createPasswordsRouter(context)));
  app.use(routedOnly(createHomeRouter(context)));
  app.use(routedOnly(createMyCoursesRouter(context)));
  app.use(routedOnly(createScormRouter(context)));
  app.use(routedOnly(createCertificatesRouter(context)));
  // Before the dashboards: it adds the units without this year's review to /leder and /admin.
  app.use(routedOnly(createReviewsRouter(context)));
  app.use(routedOnly(createDashboardRouter(context)));
  app.use(routedOnly(createImportRouter(context)));
  app.use(routedOnly(createRecordsRouter(context)));
  app.use(routedOnly(createRequirementsRouter(context)));
  app.use(routedOnly(createReportsRouter(context)));
  app.use(routedOnly(createCoursesRouter(context)));

  app.use(routedOnly(createYearlyReportRouter(context)));
  app.use(routedOnly(createRemindersRouter(context)));
  app.use(routedOnly(createMailRouter(context)));

  app.use(notFoundHandler);
  app.use(createErrorHandler(() => database.ping()));
  return { app, context };
}
