import 'server-only';
import { BlockList, isIP } from 'node:net';

/*
 * Which IP addresses count as "the public internet". Anything not plainly a global unicast
 * address is refused: a fetcher that users can point anywhere must never reach the hub's own
 * network (loopback, private ranges, cloud metadata at 169.254.169.254), however the address is
 * spelled (IPv4-mapped IPv6, NAT64, 6to4 wrapping a private IPv4).
 */

const v4Blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  v4Blocked.addSubnet(network, prefix, 'ipv4');
}

function isPublicV4(address: string): boolean {
  return !v4Blocked.check(address, 'ipv4');
}

/** The 16 bytes of an IPv6 address (already validated by net.isIP), embedded dotted quads included. */
function v6Bytes(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail.push(...text.slice(lastColon + 1).split('.').map(Number));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').filter(Boolean).map((group) => parseInt(group, 16)) : []);
  const left = groups(head);
  const right = groups(rest);
  const words = rest === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((word) => [word >> 8, word & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

const v4At = (bytes: number[], offset: number) => bytes.slice(offset, offset + 4).join('.');
const startsWith = (bytes: number[], prefix: number[]) => prefix.every((byte, index) => bytes[index] === byte);

function isPublicV6(address: string): boolean {
  const bytes = v6Bytes(address);
  const first12Zero = bytes.slice(0, 10).every((byte) => byte === 0);
  // ::ffff:a.b.c.d (mapped) and the deprecated ::a.b.c.d (compatible; :: and ::1 fall here too).
  if (first12Zero && bytes[10] === 0xff && bytes[11] === 0xff) return isPublicV4(v4At(bytes, 12));
  if (first12Zero && bytes[10] === 0 && bytes[11] === 0) return false;
  // NAT64 well-known prefix 64:ff9b::/96 reaches whatever IPv4 it wraps.
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return isPublicV4(v4At(bytes, 12));
  // Everything else outside global unicast 2000::/3 (fc00::/7, fe80::/10, ff00::/8, 64:ff9b:1::/48...) is not public.
  if ((bytes[0]! & 0xe0) !== 0x20) return false;
  // 6to4 2002::/16 wraps an IPv4 address in its next 32 bits.
  if (startsWith(bytes, [0x20, 0x02])) return isPublicV4(v4At(bytes, 2));
  // 2001::/23 IETF protocol assignments (Teredo, benchmarking, ORCHID) and documentation ranges.
  if (bytes[0] === 0x20 && bytes[1] === 0x01 && bytes[2]! < 0x02) return false;
  if (startsWith(bytes, [0x20, 0x01, 0x0d, 0xb8])) return false;
  if (bytes[0] === 0x3f && bytes[1] === 0xff && bytes[2]! < 0x10) return false; // 3fff::/20
  return true;
}

/** Whether an IP literal is a public internet address. Names (not IPs) answer false. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address.split('%')[0]!);
  if (family === 4) return isPublicV4(address);
  if (family === 6) return isPublicV6(address);
  return false;
}
