import { z } from 'zod';

/**
 * Text that Postgres can store: no NUL characters (a `text` column refuses them), which would
 * otherwise surface as a database error instead of a clear 400.
 */
export const storableText = (notText?: string) =>
  z.string(notText ? { error: notText } : undefined).refine((value) => !value.includes('\u0000'), 'Text cannot contain NUL characters.');

/**
 * Characters that render as nothing: Unicode's Default_Ignorable_Code_Point set (zero-width spaces
 * and joiners, word joiner and invisible operators, BOM, soft hyphen, Mongolian vowel separator,
 * combining grapheme joiner, Hangul fillers, bidi controls, variation selectors, tag characters,
 * shorthand format controls, ...) and the blank Braille pattern, which shows as a space. Trimming
 * keeps them (and the interlinear annotation controls), so a message of only these would look empty on every screen while passing a trim check.
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u2800\uFFF9-\uFFFB]/gu;

/** True when nothing visible is left once whitespace and invisible characters are taken out. */
export const isBlank = (value: string) => value.replace(INVISIBLE, '').trim().length === 0;
