import { z } from 'zod';

/**
 * Text that Postgres can store: no NUL characters (a `text` column refuses them), which would
 * otherwise surface as a database error instead of a clear 400.
 */
export const storableText = (notText?: string) =>
  z.string(notText ? { error: notText } : undefined).refine((value) => !value.includes('\u0000'), 'Text cannot contain NUL characters.');

/**
 * Characters that render as nothing: zero-width spaces and joiners, word joiner and invisible
 * operators, BOM, soft hyphen, Mongolian vowel separator, combining grapheme joiner, Hangul
 * fillers, bidi controls, variation selectors and tag characters. `String.prototype.trim` keeps
 * them, so a message of only these would look empty on every screen while passing a trim check.
 */
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u3164\uFE00-\uFE0F\uFEFF\uFFA0]|\uDB40[\uDC00-\uDDEF]/g;

/** True when nothing visible is left once whitespace and invisible characters are taken out. */
export const isBlank = (value: string) => value.replace(INVISIBLE, '').trim().length === 0;
