import 'server-only';
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { env } from '@/lib/env';
import { ModelError } from './provider';

/** The embeddings port: texts in, one vector per text out, in the same order. */
export interface EmbeddingsProvider {
  readonly model: string;
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
}

/** Inputs per request: well under every server's limit (OpenAI takes 2048), small enough to retry cheaply. */
export const EMBEDDINGS_BATCH = 64;

// By class name as well as instanceof: bundlers and test runners may load two copies of the SDK.
const is = (error: unknown, type: { name: string; prototype: object }) =>
  error instanceof (type as never) || (error as object | undefined)?.constructor?.name === type.name;

/** An embeddings failure as people may see it (a document's error, a log line): never the upstream's body or key. */
function sanitize(error: unknown, signal?: AbortSignal): ModelError {
  if (error instanceof ModelError) return error;
  if (is(error, APIUserAbortError) || signal?.aborted) return new ModelError('cancelled', 'Embedding was stopped.');
  if (is(error, APIConnectionTimeoutError)) return new ModelError('timeout', 'The embeddings model took too long to answer.');
  if (error instanceof APIError || typeof (error as { status?: unknown })?.status === 'number') {
    const { status } = error as { status?: number };
    if (status === 429) return new ModelError('rate_limited', 'The embeddings provider is rate limiting requests; try again shortly.');
    if (status === 401 || status === 403) return new ModelError('unavailable', 'The embeddings provider refused our credentials.');
    if (status === undefined) return new ModelError('unavailable', 'The embeddings provider could not be reached.');
    return new ModelError('upstream', `The embeddings provider failed (HTTP ${status}).`);
  }
  return new ModelError('unavailable', 'The embeddings provider could not be reached.');
}

/**
 * An OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, vLLM, ...) through the official
 * SDK. No retries here: ingestion retries the document as a job, and search falls back to
 * full-text rather than make a person wait. Every vector of one call must have the same length: a server that answers otherwise is
 * broken, and mixing lengths would corrupt the index.
 */
export function createOpenAIEmbeddings({
  model,
  apiKey,
  baseURL,
  timeoutMs,
  batchSize = EMBEDDINGS_BATCH,
}: {
  model: string;
  apiKey: string;
  baseURL?: string;
  timeoutMs: number;
  batchSize?: number;
}): EmbeddingsProvider {
  const client = new OpenAI({ apiKey, baseURL, timeout: timeoutMs, maxRetries: 0 });
  return {
    model,
    async embed(texts, options = {}) {
      const { signal } = options;
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        const input = texts.slice(start, start + batchSize).map((text) => (text.trim() ? text : ' '));
        let data: { index: number; embedding: ArrayLike<number> }[];
        try {
          ({ data } = await client.embeddings.create({ model, input }, { signal }));
        } catch (error) {
          throw sanitize(error, signal);
        }
        if (!Array.isArray(data) || data.length !== input.length) {
          throw new ModelError('upstream', 'The embeddings provider answered a different number of vectors than it was asked for.');
        }
        const ordered = [...data].sort((a, b) => a.index - b.index);
        for (const item of ordered) {
          const vector = Array.from(item.embedding ?? [], Number);
          const dims = vectors[0]?.length ?? vector.length;
          if (vector.length === 0 || vector.length !== dims || !vector.every(Number.isFinite)) {
            throw new ModelError('upstream', 'The embeddings provider answered malformed vectors.');
          }
          vectors.push(vector);
        }
      }
      return vectors;
    },
  };
}

type Slot = { provider?: EmbeddingsProvider | null };
const slot: Slot = {};

/** The configured embeddings model (EMBEDDINGS_MODEL), or undefined: search is full-text only. */
export function getEmbeddingsProvider(): EmbeddingsProvider | undefined {
  if (slot.provider === undefined) {
    const config = env();
    slot.provider = config.embeddings
      ? createOpenAIEmbeddings({ model: config.embeddings.model, apiKey: config.embeddings.apiKey, baseURL: config.embeddings.baseURL, timeoutMs: config.MODEL_TIMEOUT_MS })
      : null;
  }
  return slot.provider ?? undefined;
}

/** Tests choose the provider; undefined goes back to what the environment says on next use. */
export function setEmbeddingsProvider(next: EmbeddingsProvider | undefined): void {
  slot.provider = next;
}
