/**
 * Which workflow answers a webhook path: static paths in a Map (one lookup per request), paths
 * with parameters (`orders/:id`) in a short list per segment count. Two routes that would answer
 * the same request (same method or ANY, same shape of path) cannot both be registered.
 */
import { SkynetteError } from '../../util/errors.js';

export const WEBHOOK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'ANY'] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

export interface RouteSpec<T> {
  method: WebhookMethod;
  /** As written in the trigger: `/orders/:id`, `orders/:id/`, ... */
  path: string;
  target: T;
}

export interface WebhookRoute<T> {
  owner: string;
  method: WebhookMethod;
  /** Normalised: no leading or trailing slash, e.g. `orders/:id`. */
  path: string;
  segments: string[];
  paramNames: Array<string | null>;
  target: T;
}

export type RouteMatch<T> = { route: WebhookRoute<T>; params: Record<string, string> } | { allowed: string[] } | null;

const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;
const SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=:@%-]+$/;

/** `/Orders//:id/` -> `Orders/:id`; problems are thrown with the trigger's path field. */
export function normalizeWebhookPath(path: string): string {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '').replace(/\/{2,}/g, '/');
  if (trimmed === '') throw new SkynetteError('INVALID_CONFIG', 'the webhook path is empty; give it a name such as "orders" or "orders/:id"', { path: 'config.path' });
  const names = new Set<string>();
  for (const segment of trimmed.split('/')) {
    if (segment.startsWith(':')) {
      const m = PARAM.exec(segment);
      if (!m) throw new SkynetteError('INVALID_CONFIG', `"${segment}" in the webhook path is not a parameter name (use letters, digits and _ after the colon)`, { path: 'config.path' });
      if (names.has(m[1])) throw new SkynetteError('INVALID_CONFIG', `the parameter ":${m[1]}" appears twice in the webhook path`, { path: 'config.path' });
      names.add(m[1]);
    } else if (!SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw new SkynetteError('INVALID_CONFIG', `"${segment}" is not allowed in a webhook path (letters, digits and - . _ ~ are)`, { path: 'config.path' });
    }
  }
  return trimmed;
}

function shapeOf(segments: string[], paramNames: Array<string | null>): string {
  return segments.map((s, i) => (paramNames[i] !== null ? ':' : s)).join('/');
}

function methodsOverlap(a: WebhookMethod, b: WebhookMethod): boolean {
  return a === b || a === 'ANY' || b === 'ANY';
}

export class WebhookRoutesTable<T> {
  /** `path` -> routes on that static path (one per method, or one ANY). */
  private readonly staticRoutes = new Map<string, Array<WebhookRoute<T>>>();
  /** Segment count -> routes with parameters. */
  private readonly paramRoutes = new Map<number, Array<WebhookRoute<T>>>();
  private readonly byOwner = new Map<string, Array<WebhookRoute<T>>>();

  private build(owner: string, spec: RouteSpec<T>): WebhookRoute<T> {
    const path = normalizeWebhookPath(spec.path);
    const segments = path.split('/');
    const paramNames = segments.map((s) => (s.startsWith(':') ? s.slice(1) : null));
    return { owner, method: spec.method, path, segments, paramNames, target: spec.target };
  }

  private all(): Array<WebhookRoute<T>> {
    return [...this.byOwner.values()].flat();
  }

  /** Routes of other owners that would answer the same requests as these. */
  conflicts(owner: string, specs: Array<RouteSpec<T>>): Array<{ route: WebhookRoute<T>; with: WebhookRoute<T> }> {
    const wanted = specs.map((s) => this.build(owner, s));
    const found: Array<{ route: WebhookRoute<T>; with: WebhookRoute<T> }> = [];
    const others = this.all().filter((r) => r.owner !== owner);
    wanted.forEach((route, i) => {
      const shape = shapeOf(route.segments, route.paramNames);
      // Against the other owners' routes, and against this owner's own earlier ones.
      for (const other of [...others, ...wanted.slice(0, i)]) {
        if (methodsOverlap(route.method, other.method) && shapeOf(other.segments, other.paramNames) === shape) found.push({ route, with: other });
      }
    });
    return found;
  }

  /** Throws WEBHOOK_CONFLICT when these routes would clash with another owner's (or each other). */
  assertFree(owner: string, specs: Array<RouteSpec<T>>): void {
    const clashes = this.conflicts(owner, specs);
    if (clashes.length === 0) return;
    const c = clashes[0];
    const self = c.with.owner === owner;
    throw new SkynetteError(
      'WEBHOOK_CONFLICT',
      self
        ? `two webhook triggers of this workflow claim ${c.route.method} /webhook/${c.route.path}`
        : `${c.route.method} /webhook/${c.route.path} is already served by the active workflow ${c.with.owner} (${c.with.method} /webhook/${c.with.path}); deactivate it or change one of the paths`,
      { details: clashes.map((x) => ({ method: x.route.method, path: x.route.path, claimed_by: x.with.owner, claimed_as: `${x.with.method} ${x.with.path}` })) },
    );
  }

  /**
   * Puts an owner's routes in place of its old ones, or changes nothing and throws
   * WEBHOOK_CONFLICT. Synchronous, so two activations at once cannot both claim a path.
   */
  replace(owner: string, specs: Array<RouteSpec<T>>): Array<WebhookRoute<T>> {
    this.assertFree(owner, specs);
    const routes = specs.map((s) => this.build(owner, s));
    this.remove(owner);
    for (const route of routes) {
      if (isStatic(route)) {
        const list = this.staticRoutes.get(route.path) ?? [];
        list.push(route);
        this.staticRoutes.set(route.path, list);
      } else {
        const list = this.paramRoutes.get(route.segments.length) ?? [];
        list.push(route);
        // Fewer parameters first: `orders/:id/items` wins over `:a/:b/items`.
        list.sort((a, b) => countParams(a) - countParams(b));
        this.paramRoutes.set(route.segments.length, list);
      }
    }
    if (routes.length) this.byOwner.set(owner, routes);
    return routes;
  }

  remove(owner: string): void {
    const routes = this.byOwner.get(owner);
    if (!routes) return;
    this.byOwner.delete(owner);
    for (const route of routes) {
      if (isStatic(route)) removeFrom(this.staticRoutes, route.path, route);
      else removeFrom(this.paramRoutes, route.segments.length, route);
    }
  }

  routesOf(owner: string): Array<WebhookRoute<T>> {
    return this.byOwner.get(owner) ?? [];
  }

  get size(): number {
    return this.byOwner.size;
  }

  /** The route for a request path (without /webhook/ and query), its parameters, or the methods the path allows. */
  match(method: string, path: string): RouteMatch<T> {
    const allowed: string[] = [];
    const exact = this.staticRoutes.get(path);
    if (exact) {
      for (const route of exact) {
        if (route.method === method || route.method === 'ANY') return { route, params: {} };
        allowed.push(route.method);
      }
    }
    const segments = path.split('/');
    const candidates = this.paramRoutes.get(segments.length);
    if (candidates) {
      for (const route of candidates) {
        const params = matchSegments(route, segments);
        if (!params) continue;
        if (route.method === method || route.method === 'ANY') return { route, params };
        allowed.push(route.method);
      }
    }
    return allowed.length ? { allowed } : null;
  }
}

function isStatic(route: WebhookRoute<unknown>): boolean {
  return route.paramNames.every((p) => p === null);
}

function removeFrom<K, T>(table: Map<K, Array<WebhookRoute<T>>>, key: K, route: WebhookRoute<T>): void {
  const rest = (table.get(key) ?? []).filter((r) => r !== route);
  if (rest.length) table.set(key, rest);
  else table.delete(key);
}

function countParams(route: WebhookRoute<unknown>): number {
  return route.paramNames.filter((p) => p !== null).length;
}

function matchSegments(route: WebhookRoute<unknown>, segments: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const name = route.paramNames[i];
    if (name === null) {
      if (route.segments[i] !== segments[i]) return null;
    } else {
      if (segments[i] === '') return null;
      let value = segments[i];
      try {
        value = decodeURIComponent(value);
      } catch {
        // A malformed escape stays as sent.
      }
      params[name] = value;
    }
  }
  return params;
}
