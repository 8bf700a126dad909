import 'server-only';
import type { UsageOutcome } from '@/lib/db/schema';
import { estimateTokens, getModelProvider, ModelError, textOf, type CompletionRequest, type ModelProvider, type StreamEvent, type Usage } from '@/lib/ai';
import { reserveCall } from './budget';
import { recordUsage, type UsageRecord } from './index';
import type { Payer } from './payer';

const outcomeOf = (error: unknown): UsageOutcome =>
  error instanceof ModelError ? (error.code === 'cancelled' ? 'cancelled' : error.code === 'timeout' ? 'timeout' : 'error') : 'error';

/** What a call is recorded as: who pays (see lib/usage/payer.ts), and which agent, channel, key and source. */
export type Metered = Omit<UsageRecord, 'ownerId' | 'promptTokens' | 'completionTokens' | 'latencyMs' | 'firstTokenMs' | 'outcome' | 'model'> & {
  payer: Payer;
  /**
   * Takes the call's bookkeeping (its usage row and budget settlement, which never throw) instead
   * of the stream waiting for it: a tool loop runs its tools meanwhile, and awaits it all at the end.
   */
  defer?: (bookkeeping: Promise<void>) => void;
};

/**
 * The one way to call a model: every call (channel replies, routing, the public API) passes here.
 * Before the call it finds who pays and takes the call from their daily budget (a
 * BudgetExceededError, code `budget_exceeded`, when it is used up: nothing is sent to the model);
 * then it streams the provider's events, and when the call ends (complete, failed, timed out or
 * cancelled) writes one usage row, under the payer, with the tokens (the provider's counts, or an
 * estimate), the latency, the time to the first token and the outcome.
 */
export async function* meteredStream(request: CompletionRequest, meter: Metered, provider: ModelProvider = getModelProvider()): AsyncGenerator<StreamEvent> {
  const { payer, defer, ...record } = meter;
  const ownerId = payer.userId;
  const promptEstimate = estimateTokens(request.messages.map(textOf).join('\n'));
  const day = await reserveCall({ userId: ownerId, promptTokens: promptEstimate, subject: record.source === 'api' ? 'you' : 'asker' });
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
      } else if (event.type === 'done') {
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
    const promptTokens = usage?.promptTokens ?? promptEstimate;
    const completionTokens = usage?.completionTokens ?? estimateTokens(text);
    const bookkeeping = recordUsage(
      { ...record, ownerId, model: request.model, promptTokens, completionTokens, latencyMs: performance.now() - started, firstTokenMs, outcome },
      { day, extraTokens: promptTokens + completionTokens - promptEstimate },
    );
    if (defer) defer(bookkeeping);
    else await bookkeeping;
  }
}
