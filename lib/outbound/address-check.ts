import 'server-only';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { env } from '@/lib/env';
import { isPublicAddress } from './addresses';
import { outboundErrors } from './errors';

export type ResolvedAddress = { address: string; family: 4 | 6 };
/** Every address a name resolves to; a seam so tests never ask real DNS about internet names. */
export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true });

/** The URL, if it is one the hub may fetch at all (before looking at where it points). */
export function parseOutboundUrl(input: string | URL, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    throw outboundErrors.notAUrl();
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw outboundErrors.protocol();
  if (url.username || url.password) throw outboundErrors.credentials();
  if (!url.hostname) throw outboundErrors.notAUrl();
  return url;
}

/** The host as sockets take it: IPv6 without brackets, no trailing dot on names. */
export function bareHost(url: URL): string {
  const host = url.hostname.toLowerCase();
  return host.startsWith('[') ? host.slice(1, -1) : host.replace(/\.$/, '');
}

const effectivePort = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

/** OUTBOUND_ALLOW_HOSTS entries are a host (any port) or host:port (that port only). */
export function isAllowListed(url: URL, allowHosts: string[]): boolean {
  if (allowHosts.length === 0) return false;
  const bare = bareHost(url);
  const port = effectivePort(url);
  const named = bare.includes(':') ? `[${bare}]` : bare;
  const candidates = new Set([bare, named, `${named}:${port}`]);
  return allowHosts.some((entry) => candidates.has(entry.replace(/\.$/, '').replace(/\.:/, ':')));
}

/**
 * Resolves the URL's host and insists every address is public (unless allow-listed): checking only
 * the first would let a name that answers both a public and a private address slip through.
 * The answer is what the connection is then pinned to, so a second DNS answer cannot differ.
 */
export async function resolveOutbound(url: URL, lookup: Lookup = systemLookup): Promise<ResolvedAddress[]> {
  const host = bareHost(url);
  const allowed = isAllowListed(url, env().outboundAllowHosts);
  const literal = isIP(host);
  if (literal) {
    if (!allowed && !isPublicAddress(host)) throw outboundErrors.blocked();
    return [{ address: host, family: literal as 4 | 6 }];
  }
  let answers: { address: string; family: number }[];
  try {
    answers = await lookup(host);
  } catch {
    throw outboundErrors.notFound(host);
  }
  const addresses = answers
    .filter((answer) => answer.family === 4 || answer.family === 6)
    .map((answer) => ({ address: answer.address, family: answer.family as 4 | 6 }));
  if (addresses.length === 0) throw outboundErrors.notFound(host);
  if (!allowed && !addresses.every((answer) => isPublicAddress(answer.address))) throw outboundErrors.blocked();
  return addresses;
}

/** A `lookup` for the socket that answers only the addresses already checked. */
export function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const usable = options.family ? addresses.filter((entry) => entry.family === options.family) : addresses;
    const choice = usable.length > 0 ? usable : addresses;
    if (options.all) callback(null, choice);
    else callback(null, choice[0]!.address, choice[0]!.family);
  };
}
