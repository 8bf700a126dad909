import 'server-only';
import { isIP } from 'node:net';
import { env } from '@/lib/env';

/**
 * Where a request comes from, for the per-address throttles (sign-in, sign-up).
 *
 * Why not simply X-Forwarded-For: Next.js (node_modules/next/dist/server/base-server.js,
 * "Update the `x-forwarded-*` headers") only fills `x-forwarded-for` when it is absent
 * (`??= socket.remoteAddress`), so whatever a client sends in it reaches the route as is. Trusting
 * it would let anyone pick a fresh address per request. So:
 * - with TRUST_PROXY, the first X-Forwarded-For entry: only right behind a proxy that overwrites
 *   the header with the address it saw (Vercel does; so do most load balancers configured to).
 *   Proxies that append instead (nginx's $proxy_add_x_forwarded_for, AWS ALB) keep what the client
 *   wrote in front, so there TRUST_PROXY_HOPS counts trusted proxies from the right: the entry the
 *   outermost one added is the address it saw, and everything left of it is the client's say;
 * - otherwise CLIENT_ADDRESS_HEADER, which the hub's own server (server/main.ts, and the test
 *   harness) sets from the TCP socket after deleting any copy the client sent. It is believed
 *   only when such a server runs in this process (it says so through `stampClientAddress`), so
 *   `next start` or a function platform without TRUST_PROXY cannot be fooled by a forged copy:
 *   there the address is unknown (logged once): sign-in is throttled per account, and sign-ups
 *   share one log (lib/auth/local.ts).
 */
export const CLIENT_ADDRESS_HEADER = 'x-neurocache-client-address';

type Stamped = { headers: Record<string, string | string[] | undefined>; socket: { remoteAddress?: string } };
const trust = ((globalThis as { __neurocacheAddressHeader?: { stamped: boolean; warned: boolean } }).__neurocacheAddressHeader ??= { stamped: false, warned: false });

/** Called by the server for every request before the app sees it: the socket's address, never the client's say. */
export function stampClientAddress(req: Stamped): void {
  trust.stamped = true;
  delete req.headers[CLIENT_ADDRESS_HEADER];
  if (req.socket.remoteAddress) req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress;
}

/**
 * The address a throttle counts: IPv4-mapped IPv6 as plain IPv4, and IPv6 by its /64 (one
 * subscriber usually holds a whole /64, so single addresses would be free to rotate).
 */
export function normalizeAddress(raw: string | null | undefined): string | undefined {
  const value = raw?.trim().replace(/^\[|\]$/g, '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!value) return undefined;
  const kind = isIP(value);
  if (kind === 4) return value;
  if (kind !== 6) return undefined;
  const [head = '', tail = ''] = value.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = value.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * The X-Forwarded-For entry a trusted proxy wrote (see above). Fewer entries than hops means the
 * request skipped a proxy: none is believed, and the socket's address (a proxy's) counts instead.
 */
function forwardedEntry(header: string | null): string | undefined {
  const entries = header?.split(',') ?? [];
  const hops = env().TRUST_PROXY_HOPS;
  return hops ? entries[entries.length - hops] : entries[0];
}

/** The client's address, or undefined when this deployment cannot know it (see above). */
export function clientAddress(headers: { get(name: string): string | null }): string | undefined {
  if (env().TRUST_PROXY) {
    const forwarded = normalizeAddress(forwardedEntry(headers.get('x-forwarded-for')));
    if (forwarded) return forwarded;
  }
  const stamped = trust.stamped ? normalizeAddress(headers.get(CLIENT_ADDRESS_HEADER)) : undefined;
  if (!stamped && !trust.warned) {
    trust.warned = true;
    console.warn('[auth] client addresses are unknown here (set TRUST_PROXY=true behind a proxy that sets X-Forwarded-For): sign-in is throttled per account, and sign-ups share one log');
  }
  return stamped;
}
