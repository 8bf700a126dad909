import 'server-only';
import { createHash } from 'node:crypto';
import { ModelError, type CompletionRequest, type ModelProvider, type StreamEvent } from './provider';

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
    async *stream({ messages, signal }: CompletionRequest): AsyncIterable<StreamEvent> {
      const hasInstructions = messages.some((m) => m.role === 'system' && m.content.trim());
      const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content.trim() ?? '';
      const digest = createHash('sha256').update(JSON.stringify(messages)).digest('hex').slice(0, 8);
      const reply = [
        OFFLINE_LABEL,
        lastUser ? `You said: "${quote(lastUser)}".` : 'Nothing was asked yet.',
        hasInstructions ? 'I follow the instructions my owner gave me; they stay private.' : '',
        `Set OPENAI_API_KEY for real answers. (reply ${digest})`,
      ]
        .filter(Boolean)
        .join(' ');
      const tokens = reply.split(/(?<= )/);
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
