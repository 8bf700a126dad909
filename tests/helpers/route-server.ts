import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { refuseUnroutableMethod, ROUTE_METHODS } from '@/lib/http/methods';
import { stampClientAddress } from '@/lib/auth/client-address';

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
type RouteModule = Partial<Record<string, Handler>>;
type Route = { pattern: RegExp; names: string[]; catchAll: boolean; file: string; specificity: number };

const appDir = path.join(process.cwd(), 'app');

/** Every app/**\/route.ts, turned into a matcher the way the App Router reads folder names. */
function discoverRoutes(): Route[] {
  const routes: Route[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name), [...segments, entry.name]);
      else if (/^route\.tsx?$/.test(entry.name)) {
        const names: string[] = [];
        let catchAll = false;
        const parts = segments
          .filter((s) => !/^\(.*\)$/.test(s))
          .map((segment) => {
            const rest = /^\[\.\.\.(\w+)\]$/.exec(segment);
            if (rest) {
              names.push(rest[1]!);
              catchAll = true;
              return '(.+)';
            }
            const param = /^\[(\w+)\]$/.exec(segment);
            if (param) {
              names.push(param[1]!);
              return '([^/]+)';
            }
            return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          });
        routes.push({
          pattern: new RegExp(`^/${parts.join('/')}/?$`),
          names,
          catchAll,
          file: path.join(dir, entry.name),
          specificity: (catchAll ? -1000 : 0) + segments.length * 10 - names.length,
        });
      }
    }
  };
  walk(appDir, []);
  return routes.sort((a, b) => b.specificity - a.specificity);
}

/**
 * The handler Next.js runs for a method, as its app-route module does (autoImplementMethods): the
 * module's own export, else HEAD by GET, OPTIONS as 204 with Allow, and an empty 405 for the rest.
 * Methods outside ROUTE_METHODS never get here (Next.js answers them with an empty 400).
 */
function nextHandler(mod: RouteModule, method: string): Handler {
  const own = mod[method] ?? (method === 'HEAD' ? mod.GET : undefined);
  if (own) return own;
  if (method === 'OPTIONS') {
    const implemented = ROUTE_METHODS.filter((m) => mod[m] || (m === 'HEAD' && mod.GET));
    const allow = [...new Set(['OPTIONS', ...implemented])].sort().join(', ');
    return async () => new Response(null, { status: 204, headers: { Allow: allow } });
  }
  return async () => new Response(null, { status: 405 });
}

/**
 * A fault the server injects into the next matching request, as a flaky network or proxy would:
 * `status` answers without reaching the handler, `reset` drops the connection before it,
 * `lose-response` runs the handler (the write happens) and then drops the connection.
 */
export type Fault = { method: string; path: RegExp; kind: 'status'; status: number } | { method: string; path: RegExp; kind: 'reset' | 'lose-response' };

export type RouteServer = { url: string; faults: Fault[]; close(): Promise<void> };

/**
 * Serves the real route handlers over real HTTP on an ephemeral port, converting Node requests
 * into the Web Request objects Next.js hands them, and streaming their Responses back. As in the
 * hub (server/main.ts in front of Next.js, with proxy.ts not matching /api), a request body streams
 * into the handler as it arrives, never buffered first, and methods are handled as Next.js does.
 */
export async function startRouteServer(options: { control?: boolean } = {}): Promise<RouteServer> {
  const routes = discoverRoutes();
  const faults: Fault[] = [];
  const server = http.createServer(async (req, res) => {
    try {
      // As server/main.ts does: the throttles' client address comes from the socket alone.
      stampClientAddress(req);
      if (refuseUnroutableMethod(req, res)) return; // as server/main.ts does, before Next.js
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      if (url.pathname === '/__test/faults' && req.method === 'POST' && options.control) {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = JSON.parse(Buffer.concat(chunks).toString()) as Omit<Fault, 'path'> & { path: string };
        faults.push({ ...body, path: new RegExp(body.path) } as Fault);
        res.writeHead(204).end();
        return;
      }
      const faultIndex = faults.findIndex((f) => f.method === req.method && f.path.test(url.pathname));
      const fault = faultIndex === -1 ? undefined : faults.splice(faultIndex, 1)[0];
      if (fault?.kind === 'reset') return void req.socket.destroy();
      if (fault?.kind === 'status') {
        res.writeHead(fault.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'unavailable', message: 'Injected failure.' } }));
        return;
      }
      const route = routes.find((r) => r.pattern.test(url.pathname));
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'not_found', message: 'No such route in the test server.' } }));
        return;
      }
      const handler = nextHandler(require(route.file) as RouteModule, req.method ?? 'GET');
      const match = route.pattern.exec(url.pathname)!;
      const params: Record<string, string | string[]> = {};
      route.names.forEach((name, i) => {
        const value = decodeURIComponent(match[i + 1]!);
        params[name] = route.catchAll && i === route.names.length - 1 ? value.split('/') : value;
      });
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) value.forEach((v) => headers.append(key, v));
        else if (value !== undefined) headers.set(key, value);
      }
      // As Next.js does (NextRequestAdapter.fromNodeNextRequest): the Node request itself is the body.
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : req;
      const request = new NextRequest(url, { method: req.method, headers, body, duplex: 'half' } as unknown as ConstructorParameters<typeof NextRequest>[1]);
      const response = await handler(request, { params: Promise.resolve(params) });
      if (fault?.kind === 'lose-response') return void req.socket.destroy();

      const outHeaders: Record<string, string | string[]> = {};
      response.headers.forEach((value, key) => {
        if (key !== 'set-cookie') outHeaders[key] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length) outHeaders['set-cookie'] = cookies;
      res.writeHead(response.status, outHeaders);
      if (response.body) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          res.write(value);
        }
      }
      res.end();
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`test route server failed: ${String(error)}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
