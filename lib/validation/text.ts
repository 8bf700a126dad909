import { z } from 'zod';

/**
 * Text that Postgres can store: no NUL characters (a `text` column refuses them), which would
 * otherwise surface as a database error instead of a clear 400.
 */
export const storableText = (notText?: string) =>
  z.string(notText ? { error: notText } : undefined).refine((value) => !value.includes('\u0000'), 'Text cannot contain NUL characters.');
