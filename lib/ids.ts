import { v7 as uuidv7, validate, version } from 'uuid';

/** Time-ordered ids: sorting by id sorts by creation, which history paging relies on. */
export function newId(): string {
  return uuidv7();
}

export function isUuid(value: string): boolean {
  return validate(value) && version(value) >= 1;
}

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
