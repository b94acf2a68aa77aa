/**
 * What every request meets before a route: the Host check (a page on another site that rebinds
 * its DNS name to 127.0.0.1 still sends its own name, and is refused), CORS only for configured
 * origins, and the API token on every /api request, checked before the body is read.
 */
import { hostname, networkInterfaces } from 'node:os';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiTokenSource } from './api-token.js';
import { errorBody } from './http-errors.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** Host names (lower-case, without port or brackets) this server answers to. */
export function allowedHostNames(host: string, extra: readonly string[]): Set<string> {
  const names = new Set<string>([...LOOPBACK_NAMES, ...extra.map((h) => stripBrackets(h.toLowerCase()))]);
  if (WILDCARD_HOSTS.has(host)) {
    // Listening everywhere: the machine's own names and addresses are this server too.
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
  } else {
    names.add(stripBrackets(host.toLowerCase()));
  }
  return names;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The name in a Host header: `Example.com:5678` -> `example.com`, `[::1]:80` -> `::1`. */
export function hostNameOf(header: string | undefined): string | null {
  if (!header) return null;
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 0 ? value.slice(1, end) : null;
  }
  const colon = value.indexOf(':');
  return colon < 0 ? value : value.slice(0, colon);
}

function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name.startsWith('127.') || name === '::1';
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(errorBody(code, message)));
}

function isWebhookRoute(route: string): boolean {
  return route === '/webhook/*' || route === '/webhook-test/*';
}

export interface GuardOptions {
  host: string;
  allowedHosts: readonly string[];
  corsOrigins: readonly string[];
  token: ApiTokenSource;
}

export function registerRequestGuards(app: FastifyInstance, options: GuardOptions): void {
  const allowed = allowedHostNames(options.host, options.allowedHosts);
  const anyOrigin = options.corsOrigins.includes('*');
  const origins = new Set(options.corsOrigins);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // The matched route, not the raw URL: `/%61pi/...` routes to /api/ too.
    const route = request.routeOptions.url ?? '';
    // Webhooks are called by other systems, often through a proxy or tunnel with its own name;
    // they carry their own authentication.
    if (isWebhookRoute(route)) return;
    const name = hostNameOf(request.headers.host);
    if (name === null || (!allowed.has(name) && !isLoopbackName(name))) {
      return refuse(reply, 403, 'HOST_NOT_ALLOWED', `requests for the host "${request.headers.host ?? ''}" are refused; add it to SKYNETTE_ALLOWED_HOSTS if this server should answer to it`);
    }

    const origin = request.headers.origin;
    if (origin && (anyOrigin || origins.has(origin))) {
      reply.header('access-control-allow-origin', anyOrigin ? '*' : origin);
      reply.header('vary', 'Origin');
      if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
        return reply
          .code(204)
          .header('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS')
          .header('access-control-allow-headers', 'Authorization, Content-Type')
          .header('access-control-max-age', '600')
          .send();
      }
    }

    if (route.startsWith('/api/') || /^\/api(?:[/?]|$)/.test(request.url)) {
      const header = request.headers.authorization;
      const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!m || !options.token.matches(m[1])) {
        reply.header('www-authenticate', 'Bearer realm="skynette"');
        return refuse(reply, 401, 'UNAUTHORIZED', m ? 'the API token is wrong (see: skynette token)' : 'send the API token as "Authorization: Bearer <token>" (see: skynette token)');
      }
    }
  });
}
