import { createHash } from 'node:crypto';
import { ModelError, type CompletionRequest, type ModelProvider, type StreamEvent } from './provider';

export const OFFLINE_LABEL = '[offline model]';

const words = (text: string) => text.split(/\s+/).filter(Boolean);

/**
 * The embedded default when no OPENAI_API_KEY is set: deterministic (the same conversation always
 * gets the same reply), fast, streamed word by word like a real model, and plainly labelled, so
 * every agent feature works offline and nobody mistakes it for a real model.
 */
export function createOfflineProvider({ tokenDelayMs = 15 }: { tokenDelayMs?: number } = {}): ModelProvider {
  return {
    kind: 'offline',
    async *stream({ messages, signal }: CompletionRequest): AsyncIterable<StreamEvent> {
      const system = messages.find((m) => m.role === 'system')?.content ?? '';
      const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content.trim() ?? '';
      const digest = createHash('sha256').update(JSON.stringify(messages)).digest('hex').slice(0, 8);
      const focus = words(system).slice(0, 12).join(' ');
      const reply = [
        OFFLINE_LABEL,
        lastUser ? `You said: "${words(lastUser).slice(0, 40).join(' ')}".` : 'Nothing was asked yet.',
        focus ? `My instructions begin: "${focus}".` : '',
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
