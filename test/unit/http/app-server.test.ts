import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { createAppServer } from '../../../src/http/app-server';
import { routedOnly } from '../../../src/http/routed-only';

async function get(server: http.Server, path: string): Promise<{ status: number; body: string }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return { status: response.status, body: await response.text() };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('createAppServer', () => {
  test('when Node creates a request and its response, then they already have the app’s prototypes', async () => {
    const app = express();
    app.get('/', (req, res) => {
      res.json({ host: req.get('host') !== undefined, sameApp: req.app === app && res.app === app });
    });
    const server = createAppServer(app);
    const atBirth: boolean[] = [];
    // Runs before Express: what Node made, before Express's Object.setPrototypeOf.
    server.prependListener('request', (req, res) => {
      atBirth.push(Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response);
    });
    const response = await get(server, '/');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ host: true, sameApp: true });
    expect(atBirth).toEqual([true, true]);
  });

  test('when the app is then served the usual way (supertest), then requests, responses and errors work as before', async () => {
    const app = express();
    app.get('/ok', (req, res) => {
      res
        .status(201)
        .type('text')
        .send(`${req.path} ${req.query.a as string} ${req instanceof http.IncomingMessage}`);
    });
    app.get('/fail', () => {
      throw new Error('stopp');
    });
    app.use(((error: Error, _req, res, _next) => {
      res.status(500).send(`feil: ${error.message}`);
    }) as ErrorRequestHandler);
    createAppServer(app);
    const ok = await request(app).get('/ok?a=1');
    expect([ok.status, ok.text]).toEqual([201, '/ok 1 true']);
    const fail = await request(app).get('/fail');
    expect([fail.status, fail.text]).toEqual([500, 'feil: stopp']);
  });
});

describe('routedOnly', () => {
  /** An app whose first middleware notes whether a turn of the event loop passed before the answer. */
  function appWith(wrap: (router: express.Router) => express.RequestHandler) {
    const app = express();
    const entered: string[] = [];
    app.use((_req, res, next) => {
      res.locals.turnPassed = false;
      setImmediate(() => (res.locals.turnPassed = true));
      next();
    });
    for (const name of ['a', 'b', 'c']) {
      const router = express.Router();
      router.use(`/${name}`, (_req, _res, next) => {
        entered.push(name);
        next();
      });
      router.get(`/${name}/side`, (_req, res) => {
        res.json({ router: name, turnPassed: res.locals.turnPassed as boolean });
      });
      router.get(`/${name}/feil`, () => {
        throw new Error(`feil i ${name}`);
      });
      router.use(((error: Error, _req, res, next) => {
        if (name === 'b') res.status(409).send(`${name} tok ${error.message}`);
        else next(error);
      }) as ErrorRequestHandler);
      app.use(wrap(router));
    }
    app.use((_req, res) => {
      res.status(404).send('ikke funnet');
    });
    app.use(((error: Error, _req, res, _next) => {
      res.status(500).send(`appen tok ${error.message}`);
    }) as ErrorRequestHandler);
    return { app, entered };
  }

  test('when a path belongs to the third router, then only that router is entered and no turn of the event loop passes', async () => {
    const { app, entered } = appWith(routedOnly);
    const response = await request(app).get('/c/side');
    expect(response.body).toEqual({ router: 'c', turnPassed: false });
    expect(entered).toEqual(['c']);
  });

  test('when the routers are mounted without it, then the same request waits a turn per router it passes (why it exists)', async () => {
    const { app, entered } = appWith((router) => router);
    const response = await request(app).get('/c/side');
    expect(response.body).toEqual({ router: 'c', turnPassed: true });
    expect(entered).toEqual(['c']);
  });

  test('when no router has the path, then the request reaches the app’s 404', async () => {
    const { app, entered } = appWith(routedOnly);
    const response = await request(app).get('/d/side');
    expect([response.status, response.text]).toEqual([404, 'ikke funnet']);
    expect(entered).toEqual([]);
  });

  test('when a route throws, then its own router’s error handler takes it, else the app’s', async () => {
    const { app } = appWith(routedOnly);
    const inB = await request(app).get('/b/feil');
    expect([inB.status, inB.text]).toEqual([409, 'b tok feil i b']);
    const inC = await request(app).get('/c/feil');
    expect([inC.status, inC.text]).toEqual([500, 'appen tok feil i c']);
  });

  test('when a path matches only a router’s middleware, then the router is entered as before', async () => {
    const { app, entered } = appWith(routedOnly);
    const response = await request(app).get('/a/annet');
    expect(response.status).toBe(404);
    expect(entered).toEqual(['a']);
  });

  test('when a router’s layers cannot match a path (Express changed), then it fails when mounted, not on a request', () => {
    const changed = Object.assign(() => undefined, { stack: [{ handle: () => undefined }] });
    expect(() => routedOnly(changed as unknown as express.Router)).toThrow(
      'the router has no layers that can match a path',
    );
  });
});
