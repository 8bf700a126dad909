import type { UsageOutcome } from '@/lib/db/schema';
import { recordUsage, type UsageRecord } from '@/lib/usage';
import { getModelProvider } from './index';
import { ModelError, type CompletionRequest, type StreamEvent, type Usage } from './provider';

/** About four characters a token, for providers that report no usage. */
const estimate = (text: string) => Math.ceil(text.length / 4);

const outcomeOf = (error: unknown): UsageOutcome =>
  error instanceof ModelError ? (error.code === 'cancelled' ? 'cancelled' : error.code === 'timeout' ? 'timeout' : 'error') : 'error';

export type Metered = Omit<UsageRecord, 'promptTokens' | 'completionTokens' | 'latencyMs' | 'firstTokenMs' | 'outcome' | 'model'>;

/**
 * A model call that records itself: streams the provider's events, and when the call ends
 * (complete, failed, timed out or cancelled) writes one usage row with the tokens (the
 * provider's counts, or an estimate), the latency, the time to the first token and the outcome.
 */
export async function* meteredStream(request: CompletionRequest, meter: Metered): AsyncGenerator<StreamEvent> {
  const started = performance.now();
  let firstTokenMs: number | undefined;
  let text = '';
  let usage: Usage | undefined;
  let outcome: UsageOutcome = 'complete';
  try {
    for await (const event of getModelProvider().stream(request)) {
      if (event.type === 'delta') {
        firstTokenMs ??= performance.now() - started;
        text += event.text;
      } else {
        usage = event.usage;
      }
      yield event;
    }
  } catch (error) {
    outcome = outcomeOf(error);
    throw error;
  } finally {
    // A consumer that stops early (a closed client) ends the call as cancelled.
    if (outcome === 'complete' && !usage) outcome = 'cancelled';
    await recordUsage({
      ...meter,
      model: request.model,
      promptTokens: usage?.promptTokens ?? estimate(request.messages.map((m) => m.content).join('\n')),
      completionTokens: usage?.completionTokens ?? estimate(text),
      latencyMs: performance.now() - started,
      firstTokenMs,
      outcome,
    });
  }
}
