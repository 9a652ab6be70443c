import http from 'node:http';
import type { Express } from 'express';

// A mixin's base must take `any[]` (TS2545).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor = new (...args: any[]) => object;

/**
 * A subclass of Node's class whose prototype carries everything Express puts on its prototypes for
 * the app (`app.request` → Express's request → `http.IncomingMessage.prototype`), nearest first.
 */
function subclassWith<T extends Constructor>(Base: T, expressPrototype: object): T {
  const Subclass = class extends Base {};
  for (
    let proto: object | null = expressPrototype;
    proto && proto !== Base.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (!Object.prototype.hasOwnProperty.call(Subclass.prototype, key))
        Object.defineProperty(Subclass.prototype, key, descriptor);
    }
  }
  return Subclass;
}

const classesOf = new WeakMap<
  Express,
  { request: typeof http.IncomingMessage; response: typeof http.ServerResponse }
>();

/**
 * The HTTP server of an Express app, whose requests and responses Node creates with the app's
 * prototypes from the start. Express otherwise gives each of them its prototype with
 * `Object.setPrototypeOf` on every request; V8 then keeps the request's short-lived objects through
 * two minor collections into the old generation, which made every minor collection slow and the
 * major ones frequent under load (decision 0009). Express's own call then finds the prototype in
 * place and changes nothing. A server made with `http.createServer(app)` (supertest) still works:
 * Express sets the same prototypes as before.
 */
export function createAppServer(app: Express): http.Server {
  let classes = classesOf.get(app);
  if (!classes) {
    classes = {
      request: subclassWith(http.IncomingMessage, app.request),
      response: subclassWith(http.ServerResponse, app.response),
    };
    classesOf.set(app, classes);
    app.request = classes.request.prototype as Express['request'];
    app.response = classes.response.prototype as Express['response'];
  }
  return http.createServer({ IncomingMessage: classes.request, ServerResponse: classes.response }, app);
}
