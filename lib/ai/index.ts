import 'server-only';
import { env } from '@/lib/env';
import { createOfflineProvider } from './offline';
import { createOpenAIProvider } from './openai';
import type { ModelProvider } from './provider';

export * from './provider';

let provider: ModelProvider | undefined;

/** OpenAI (or a compatible server) when OPENAI_API_KEY is set; the labelled offline model otherwise. */
export function getModelProvider(): ModelProvider {
  if (!provider) {
    const config = env();
    provider = config.OPENAI_API_KEY
      ? createOpenAIProvider({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL, timeoutMs: config.MODEL_TIMEOUT_MS })
      : // The offline model calls an agent's tools in its fixed way (lib/ai/offline.ts), so every ability can be tried without a key.
        createOfflineProvider({ toolPolicy: 'fixed' });
  }
  return provider;
}

/** Tests choose the provider (the local OpenAI-compatible server, or offline without delays). */
export function setModelProvider(next: ModelProvider | undefined): void {
  provider = next;
}
