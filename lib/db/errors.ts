import 'server-only';
/** The SQLSTATE of a database error; drivers (drizzle over postgres.js or PGlite) nest the cause. */
export function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** True when Postgres (or PGlite) refused a write on a unique index. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === '23505';
}

/** True when a referenced row vanished mid-request (a channel deleted while a write raced it). */
export function isForeignKeyViolation(error: unknown): boolean {
  return sqlState(error) === '23503';
}

/**
 * What may be logged of an unexpected error: its kind, SQLSTATE, constraint and query text.
 * Never its message or bound parameters, which carry user content, emails and password hashes.
 */
export function describeError(error: unknown): Record<string, unknown> {
  const described: Record<string, unknown> = { name: error instanceof Error ? error.name : typeof error };
  const state = sqlState(error);
  if (state) {
    described.sqlState = state;
    for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
      const { constraint_name, constraint, query } = e as { constraint_name?: string; constraint?: string; query?: string };
      if (constraint_name ?? constraint) described.constraint = constraint_name ?? constraint;
      if (typeof query === 'string') described.query = query.slice(0, 500);
    }
  } else if (error instanceof Error) {
    described.message = error.message.slice(0, 300);
    described.stack = error.stack?.split('\n').slice(0, 6).join('\n');
  }
  return described;
}
