import { z } from 'zod';
import { v7 as uuidv7, validate, version } from 'uuid';

/** Time-ordered ids: sorting by id sorts by creation, which history paging relies on. */
export function newId(): string {
  return uuidv7();
}

/**
 * True only for an id in its canonical spelling (lowercase, as every id is minted). Postgres
 * matches UUIDs in any case, but cache keys and Socket.io rooms compare strings: an upper-cased
 * id would reach the same rows under other keys, so every service refuses (404) anything else and
 * the edges canonicalize what callers type.
 */
export function isUuid(value: string): boolean {
  return typeof value === 'string' && validate(value) && version(value) >= 1 && value === value.toLowerCase();
}

/** The canonical (lowercase) spelling of an id in any case, or undefined if it is not an id. */
export function canonicalId(value: unknown): string | undefined {
  if (typeof value !== 'string' || !validate(value) || version(value) < 1) return undefined;
  return value.toLowerCase();
}

/** An id field of a body, query or event: any case accepted, the canonical spelling kept. */
export const idSchema = (message = 'Not a valid id.') => z.uuid(message).overwrite((value) => value.toLowerCase());

/**
 * A new id strictly greater than `previous`. UUIDv7s made in two processes within the same
 * millisecond can sort either way; under a per-channel lock this keeps id order = commit order.
 */
export function idAfter(previous: string | undefined): string {
  const id = newId();
  if (!previous || id > previous) return id;
  // Step the random tail of the previous id (its last 12 hex digits), keeping its time prefix.
  const tail = (BigInt(`0x${previous.slice(24)}`) + 1n).toString(16).padStart(12, '0');
  if (tail.length > 12) throw new Error('id space exhausted for this millisecond');
  return `${previous.slice(0, 24)}${tail}`;
}
