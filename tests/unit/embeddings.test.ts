import { createOpenAIEmbeddings, getEmbeddingsProvider, setEmbeddingsProvider } from '@/lib/ai/embeddings';
import { ModelError } from '@/lib/ai/provider';
import { retrievalMode } from '@/lib/knowledge/search';
import { fixtureEmbedding, startOpenAIServer } from '../fixtures/openai-server';
import { withEnv } from '../helpers/env';

describe('embeddings provider (OpenAI SDK against the fixture server)', () => {
  let server: Awaited<ReturnType<typeof startOpenAIServer>>;
  beforeAll(async () => {
    server = await startOpenAIServer({ embeddingDims: 16 });
  });
  afterAll(() => server.close());
  afterEach(() => setEmbeddingsProvider(undefined));

  const provider = (model = 'fixture-embed', batchSize?: number) => createOpenAIEmbeddings({ model, apiKey: 'test-key', baseURL: server.baseURL, timeoutMs: 5000, batchSize });

  it('answers one vector per text in order, in batches, decoding the base64 the SDK asks for', async () => {
    const texts = Array.from({ length: 7 }, (_, i) => `text number ${i} about ${i % 2 ? 'cars' : 'gardens'}`);
    const before = server.embeddingRequests.length;
    const vectors = await provider('fixture-embed', 3).embed(texts);
    const requests = server.embeddingRequests.slice(before);
    expect(requests.map((request) => request.input)).toEqual([texts.slice(0, 3), texts.slice(3, 6), texts.slice(6)]);
    expect(requests.every((request) => request.encodingFormat === 'base64')).toBe(true);
    expect(vectors).toHaveLength(7);
    vectors.forEach((vector, i) => {
      expect(Array.isArray(vector)).toBe(true);
      vector.forEach((value, j) => expect(value).toBeCloseTo(fixtureEmbedding(texts[i]!, 16)[j]!, 6));
    });
    expect(await provider().embed([])).toEqual([]);
  });

  it('turns upstream failures into ModelErrors that never carry the upstream body', async () => {
    const failure = await provider('fixture-embed-500')
      .embed(['x'])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelError);
    expect((failure as ModelError).code).toBe('upstream');
    expect((failure as ModelError).message).not.toContain('sk-upstream');

    const short = await provider('fixture-embed-short')
      .embed(['a', 'b'])
      .catch((error: unknown) => error);
    expect(short).toBeInstanceOf(ModelError);
    expect((short as ModelError).message).toMatch(/different number of vectors/);

    const closed = await startOpenAIServer();
    const baseURL = closed.baseURL;
    await closed.close();
    const unreachable = await createOpenAIEmbeddings({ model: 'fixture-embed', apiKey: 'k', baseURL, timeoutMs: 2000 })
      .embed(['x'])
      .catch((error: unknown) => error);
    expect((unreachable as ModelError).code).toBe('unavailable');

    const controller = new AbortController();
    controller.abort();
    const stopped = await provider()
      .embed(['x'], { signal: controller.signal })
      .catch((error: unknown) => error);
    expect((stopped as ModelError).code).toBe('cancelled');
  });

  it('is configured by EMBEDDINGS_MODEL, and search says which mode it is in', async () => {
    await withEnv({ EMBEDDINGS_MODEL: undefined }, async () => {
      setEmbeddingsProvider(undefined);
      expect(getEmbeddingsProvider()).toBeUndefined();
      expect(retrievalMode()).toEqual({ kind: 'full-text' });
    });
    await withEnv({ EMBEDDINGS_MODEL: 'fixture-embed', EMBEDDINGS_BASE_URL: server.baseURL }, async () => {
      setEmbeddingsProvider(undefined);
      const configured = getEmbeddingsProvider();
      expect(configured?.model).toBe('fixture-embed');
      expect(retrievalMode()).toEqual({ kind: 'hybrid', model: 'fixture-embed' });
      const [vector] = await configured!.embed(['garden']);
      expect(vector).toHaveLength(16);
    });
  });
});
