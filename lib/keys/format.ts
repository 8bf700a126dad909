import 'server-only';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * API key format: `nc_` + 32 random base62 characters + a 6-character base62 CRC32 of them.
 * The prefix and checksum let secret scanners (and our own first check) recognize a real key
 * offline; a typo or a truncated paste is refused without touching the database.
 */
export const KEY_PREFIX = 'nc_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const SHAPE = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

function base62(value: number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

const checksumOf = (random: string) => base62(crc32(random) >>> 0, CHECKSUM_LENGTH);

export function generateKey(): string {
  // Rejection sampling keeps every character uniform (256 is not a multiple of 62).
  let random = '';
  while (random.length < RANDOM_LENGTH) {
    for (const byte of randomBytes(48)) {
      if (byte < 248 && random.length < RANDOM_LENGTH) random += ALPHABET[byte % 62];
    }
  }
  return `${KEY_PREFIX}${random}${checksumOf(random)}`;
}

export function isWellFormedKey(key: string): boolean {
  if (!SHAPE.test(key)) return false;
  const random = key.slice(KEY_PREFIX.length, KEY_PREFIX.length + RANDOM_LENGTH);
  return key.slice(-CHECKSUM_LENGTH) === checksumOf(random);
}

/** What is stored: a SHA-256 of the whole key (never the key). */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** What the keys list shows: the prefix, the first characters and the last four. */
export function partialOf(key: string): string {
  return `${key.slice(0, KEY_PREFIX.length + 4)}…${key.slice(-4)}`;
}
