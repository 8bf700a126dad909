import type { UsageOutcome } from '@/lib/db/schema';
import { recordUsage, type UsageRecord } from '@/lib/usage';
import { getModelProvider } from './index';
import { estimateTokens, ModelError, type CompletionRequest, type ModelProvider, type StreamEvent, type Usage } from './provider';

const outcomeOf = (error: unknown): UsageOutcome =>
  error instanceof ModelError ? (error.code === 'cancelled' ? 'cancelled' : error.code === 'timeout' ? 'timeout' : 'error') : 'error';

export type Metered = Omit<UsageRecord, 'promptTokens' | 'completionTokens' | 'latencyMs' | 'firstTokenMs' | 'outcome' | 'model'>;

/**
 * A model call that records itself: streams the provider's events, and when the call ends
 * (complete, failed, timed out or cancelled) writes one usage row with the tokens (the
 * provider's counts, or an estimate), the latency, the time to the first token and the outcome.
 */
export async function* meteredStream(request: CompletionRequest, meter: Metered, provider: ModelProvider = getModelProvider()): AsyncGenerator<StreamEvent> {
  const started = performance.now();
  let firstTokenMs: number | undefined;
  let text = '';
  let usage: Usage | undefined;
  let outcome: UsageOutcome = 'complete';
  try {
    for await (const event of provider.stream(request)) {
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
      promptTokens: usage?.promptTokens ?? estimateTokens(request.messages.map((m) => m.content).join('\n')),
      completionTokens: usage?.completionTokens ?? estimateTokens(text),
      latencyMs: performance.now() - started,
      firstTokenMs,
      outcome,
    });
  }
}
