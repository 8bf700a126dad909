import 'server-only';

/**
 * An agent's instructions are its owner's alone, but its replies are read by every member of a
 * channel and every API caller. Models are told to keep them private (lib/agents/context.ts);
 * this is the check for a model that does not: a reply that quotes a run of RUN words of the
 * instructions is withheld. Checked as the reply streams, so members see at most RUN - 1 words
 * of such a run before it stops.
 */
const RUN = 8;
const MIN_WORDS = 4;

const wordsOf = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

export const WITHHELD = "The reply was withheld: it began to quote the agent's private instructions.";

/** A test for "this text quotes the instructions"; never true for instructions too short to quote meaningfully. */
export function instructionQuoteDetector(instructions: string): (text: string) => boolean {
  const words = wordsOf(instructions);
  if (words.length < MIN_WORDS) return () => false;
  const run = Math.min(RUN, words.length);
  const runs = new Set<string>();
  for (let i = 0; i + run <= words.length; i++) runs.add(words.slice(i, i + run).join(' '));
  return (text) => {
    const seen = wordsOf(text);
    for (let i = 0; i + run <= seen.length; i++) if (runs.has(seen.slice(i, i + run).join(' '))) return true;
    return false;
  };
}

/** The streaming form: fed each delta, true once the reply so far quotes the instructions (only its tail is re-read). */
export function streamingQuoteDetector(instructions: string): (textSoFar: string) => boolean {
  const quotes = instructionQuoteDetector(instructions);
  return (textSoFar) => quotes(textSoFar.slice(-400));
}
