/** Reactions (API.md): what counts as one emoji, shared by the server's check and the browser's picker. */

/** Different emojis one message may carry; reacting with one already there always works. */
export const MAX_REACTIONS_PER_MESSAGE = 50;

/** Longer than any emoji sequence in Unicode (a family with skin tones, a subdivision flag), in UTF-16 units. */
const MAX_EMOJI_LENGTH = 32;

// Code points that appear in emoji: pictographs, skin tones, regional indicators (flags), keycap
// bases and the keycap mark, ZWJ, the emoji presentation selector, and tag characters (flags of
// subdivisions). Any one pictograph, flag or keycap must be present, so "1" or "#" alone is no emoji.
const EMOJI_CODE_POINTS = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\p{Emoji_Component}\u200d\ufe0f\u20e3\u{e0020}-\u{e007f}]+$/u;
const EMOJI_CORE = /\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|\u20e3/u;

const graphemes = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : undefined;

/** Exactly one emoji: a single grapheme cluster made of emoji code points (ZWJ sequences and skin tones included). */
export function isSingleEmoji(value: string): boolean {
  if (!value || value.length > MAX_EMOJI_LENGTH) return false;
  if (!EMOJI_CODE_POINTS.test(value) || !EMOJI_CORE.test(value)) return false;
  if (!graphemes) return true;
  // Bounded above by MAX_EMOJI_LENGTH, so counting every segment is cheap.
  return [...graphemes.segment(value)].length === 1;
}
