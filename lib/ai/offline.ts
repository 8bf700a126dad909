import 'server-only';
import { createHash } from 'node:crypto';
import { ModelError, type CompletionRequest, type ModelProvider, type SourcePassage, type StreamEvent } from './provider';

export const OFFLINE_LABEL = '[offline model]';

const words = (text: string) => text.split(/\s+/).filter(Boolean);

/**
 * What the offline model quotes of the question: its first words, with the @ taken off handles
 * so that quoting a mention never hands the conversation to that agent again.
 */
const quote = (text: string) =>
  words(text)
    .slice(0, 40)
    .join(' ')
    .replace(/(^|[^\w@])@([a-z0-9-]{2,32})\b/gi, '$1$2');

const STOPWORDS = new Set(
  'a an and are as at be but by can do does for from has have how i if in into is it its me my no not of on or our so than that the their them then there these they this to was we what when where which who why will with you your about should would could please tell'.split(' '),
);

/** Lowercased content words, cut to a five-letter stem: "configured" and "configuration" meet. */
const stems = (text: string) =>
  (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => word.length > 1 && !STOPWORDS.has(word)).map((word) => word.slice(0, 5));

/** Sentences, also cut at line breaks (a PDF's heading line is not part of the sentence after it). */
const sentencesOf = (text: string) =>
  text
    .split(/\n+/)
    .flatMap((line) => line.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z0-9"'(])/))
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);

/** A mention quoted from a document must not hand the conversation to that agent. */
const unmention = (text: string) => text.replace(/(^|[^\w@])@([a-z0-9-]{2,32})\b/gi, '$1$2');

const where = (source: SourcePassage) => unmention([source.title, source.page ? `page ${source.page}` : '', source.heading ?? ''].filter(Boolean).join(', '));

/**
 * With knowledge: an extractive answer. For each source, the sentence sharing the most words with
 * the question (and the one after it, when short), best sources first, each quoted with its [n]
 * and where it comes from. Honest about what it is: quotes, not a written answer.
 */
function extractiveReply(question: string, sources: SourcePassage[]): string {
  if (sources.length === 0) {
    return `${OFFLINE_LABEL} I searched my knowledge bases for "${quote(question)}" and found nothing that matches. Try other words, or check the documents are ready on the Knowledge page.`;
  }
  const wanted = new Set(stems(question));
  const picks = sources
    .map((source, rank) => {
      const sentences = sentencesOf(source.content);
      let best = 0;
      let bestScore = -1;
      sentences.forEach((sentence, index) => {
        const score = new Set(stems(sentence).filter((stem) => wanted.has(stem))).size;
        if (score > bestScore) [best, bestScore] = [index, score];
      });
      let text = sentences[best] ?? source.content.slice(0, 300);
      if (text.length < 120 && sentences[best + 1]) text = `${text} ${sentences[best + 1]}`;
      text = unmention(text.replace(/"/g, "'"));
      return { source, rank, score: bestScore, text: text.length > 400 ? `${text.slice(0, 397)}…` : text };
    })
    .sort((a, b) => b.score - a.score || a.rank - b.rank)
    .filter((pick, index) => index === 0 || pick.score > 0)
    .slice(0, 3);
  const lines = picks.map((pick) => `- "${pick.text}" [${pick.source.n}] (${where(pick.source)})`);
  return [`${OFFLINE_LABEL} From your documents:`, '', ...lines, '', 'These are quotes, not a written answer: set OPENAI_API_KEY for one.'].join('\n');
}

/**
 * The embedded default when no OPENAI_API_KEY is set: deterministic (the same conversation always
 * gets the same reply), fast, streamed word by word like a real model, and plainly labelled, so
 * every agent feature works offline and nobody mistakes it for a real model.
 *
 * It never quotes the system message: that holds the agent's instructions, which are its owner's
 * alone, while the reply is read by every member of the channel and every API caller.
 */
export function createOfflineProvider({ tokenDelayMs = 15 }: { tokenDelayMs?: number } = {}): ModelProvider {
  return {
    kind: 'offline',
    async *stream({ messages, signal, sources }: CompletionRequest): AsyncIterable<StreamEvent> {
      const hasInstructions = messages.some((m) => m.role === 'system' && m.content.trim());
      const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content.trim() ?? '';
      const digest = createHash('sha256').update(JSON.stringify(messages)).digest('hex').slice(0, 8);
      const reply = sources ? extractiveReply(lastUser, sources) : [
        OFFLINE_LABEL,
        lastUser ? `You said: "${quote(lastUser)}".` : 'Nothing was asked yet.',
        hasInstructions ? 'I follow the instructions my owner gave me; they stay private.' : '',
        `Set OPENAI_API_KEY for real answers. (reply ${digest})`,
      ]
        .filter(Boolean)
        .join(' ');
      const tokens = reply.split(/(?<=[ \n])/);
      for (const token of tokens) {
        if (signal?.aborted) throw new ModelError('cancelled', 'The reply was stopped.');
        if (tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, tokenDelayMs));
        yield { type: 'delta', text: token };
      }
      yield {
        type: 'done',
        usage: { promptTokens: words(messages.map((m) => m.content).join(' ')).length, completionTokens: tokens.length },
      };
    },
  };
}
