import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalFileStore, createSupabaseFileStore, getFileStore, setFileStore, type FileStore } from '@/lib/storage';
import { withEnv } from '../helpers/env';
import { startStorageBridge, type StorageBridge } from '../helpers/storage-bridge';

/*
 * One contract for both file stores: local files in a temp directory, and Supabase Storage
 * through the real supabase-js client against a local bridge that speaks its REST protocol.
 */

let scratch: string;
let bridge: StorageBridge;
const BUCKET = 'neurocache-test';

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'nc-storage-'));
  bridge = await startStorageBridge({ dir: path.join(scratch, 'bridge') });
});

afterAll(async () => {
  await bridge.close();
  await rm(scratch, { recursive: true, force: true });
});

afterEach(() => setFileStore(undefined));

let counter = 0;
const uniqueKey = (name: string) => `knowledge/user-${process.pid}-${(counter += 1)}/${name}`;

const stores: [string, () => FileStore][] = [
  ['local', () => createLocalFileStore(path.join(scratch, 'local'))],
  ['supabase', () => createSupabaseFileStore({ url: bridge.url, serviceRoleKey: bridge.serviceRoleKey, bucket: BUCKET })],
];

describe.each(stores)('%s file store', (kind, open) => {
  let store: FileStore;
  beforeAll(() => {
    store = open();
  });

  it('names its kind', () => {
    expect(store.kind).toBe(kind);
  });

  it('round-trips a few megabytes of binary data byte for byte', async () => {
    const key = uniqueKey('document.pdf');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    await store.put(key, data, 'application/pdf');
    const back = await store.get(key);
    expect(back).toBeInstanceOf(Buffer);
    expect(back!.length).toBe(data.length);
    expect(back!.equals(data)).toBe(true);
  });

  it('keeps an empty file as an empty file, not as a missing one', async () => {
    const key = uniqueKey('empty.txt');
    await store.put(key, new Uint8Array(0), 'text/plain');
    const back = await store.get(key);
    expect(back).toBeDefined();
    expect(back!.length).toBe(0);
  });

  it('replaces a file written again at the same key', async () => {
    const key = uniqueKey('notes.md');
    await store.put(key, Buffer.from('first version, the longer of the two'), 'text/markdown');
    await store.put(key, Buffer.from('second'), 'text/markdown');
    expect((await store.get(key))?.toString('utf8')).toBe('second');
  });

  it('answers undefined for a key with no file', async () => {
    expect(await store.get(uniqueKey('never-written'))).toBeUndefined();
  });

  it('removes several files at once and ignores keys with no file', async () => {
    const [a, b, kept, missing] = [uniqueKey('a'), uniqueKey('b'), uniqueKey('kept'), uniqueKey('missing')];
    for (const key of [a, b, kept]) await store.put(key, Buffer.from(key), 'text/plain');
    await store.remove([a, missing, b]);
    expect(await store.get(a)).toBeUndefined();
    expect(await store.get(b)).toBeUndefined();
    expect((await store.get(kept))?.toString('utf8')).toBe(kept);
    await expect(store.remove([missing])).resolves.toBeUndefined();
    await expect(store.remove([])).resolves.toBeUndefined();
  });

  it.each(['', '../outside', 'knowledge/../../etc/passwd', '/knowledge/u/d', 'knowledge//d', 'knowledge/u/', 'knowledge/a b', 'knowledge/%2e%2e', 'knowledge\\u\\d', 'knowledge/./d', 'knowledge/ü'])(
    'refuses the bad key %j for every operation',
    async (key) => {
      await expect(store.put(key, Buffer.from('x'), 'text/plain')).rejects.toThrow(/Invalid file key/);
      await expect(store.get(key)).rejects.toThrow(/Invalid file key/);
      await expect(store.remove([uniqueKey('fine'), key])).rejects.toThrow(/Invalid file key/);
    },
  );
});

describe('local file store', () => {
  it('writes under its directory by key and leaves no temporary files behind', async () => {
    const dir = path.join(scratch, 'local-layout');
    const store = createLocalFileStore(dir);
    await store.put('knowledge/u1/d1', Buffer.from('one'), 'text/plain');
    await store.put('knowledge/u1/d1', Buffer.from('two'), 'text/plain');
    await store.put('knowledge/u1/d2', Buffer.from('three'), 'text/plain');
    expect((await stat(path.join(dir, 'knowledge', 'u1', 'd1'))).size).toBe(3);
    expect((await readdir(path.join(dir, 'knowledge', 'u1'))).sort()).toEqual(['d1', 'd2']);
  });
});

describe('Supabase file store', () => {
  it('creates its private bucket on first use, once', async () => {
    const bucket = 'fresh-bucket';
    const store = createSupabaseFileStore({ url: bridge.url, serviceRoleKey: bridge.serviceRoleKey, bucket });
    const before = bridge.requests.length;
    await Promise.all([store.put('knowledge/u/1', Buffer.from('1'), 'text/plain'), store.get('knowledge/u/2')]);
    await store.remove(['knowledge/u/1']);
    const seen = bridge.requests.slice(before);
    expect(seen.filter((r) => r.path === `/storage/v1/bucket/${bucket}` && r.method === 'GET')).toHaveLength(1);
    expect(seen.filter((r) => r.path === '/storage/v1/bucket' && r.method === 'POST')).toHaveLength(1);
    const answer = await fetch(`${bridge.url}/storage/v1/bucket/${bucket}`, { headers: { authorization: `Bearer ${bridge.serviceRoleKey}`, apikey: bridge.serviceRoleKey } });
    expect(await answer.json()).toMatchObject({ id: bucket, public: false });
  });

  it('uses a bucket that already exists without creating it again', async () => {
    const config = { url: bridge.url, serviceRoleKey: bridge.serviceRoleKey, bucket: 'shared-bucket' };
    await createSupabaseFileStore(config).put('knowledge/u/first', Buffer.from('first'), 'text/plain');
    const before = bridge.requests.length;
    const second = createSupabaseFileStore(config);
    expect((await second.get('knowledge/u/first'))?.toString('utf8')).toBe('first');
    expect(bridge.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/storage/v1/bucket')).toHaveLength(0);
  });

  it('stores the content type it is given', async () => {
    const store = createSupabaseFileStore({ url: bridge.url, serviceRoleKey: bridge.serviceRoleKey, bucket: BUCKET });
    const key = uniqueKey('page.html');
    await store.put(key, Buffer.from('<p>hi</p>'), 'text/html');
    const answer = await fetch(`${bridge.url}/storage/v1/object/${BUCKET}/${key}`, { headers: { authorization: `Bearer ${bridge.serviceRoleKey}`, apikey: bridge.serviceRoleKey } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/html');
  });

  it('fails with a clear error, naming no key, when the service role key is wrong', async () => {
    const wrongKey = 'not-the-service-role-key-0123456789';
    const store = createSupabaseFileStore({ url: bridge.url, serviceRoleKey: wrongKey, bucket: BUCKET });
    const failure = await store.get('knowledge/u/any').then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure!.message).toMatch(/refused the service role key.*SUPABASE_SERVICE_ROLE_KEY/);
    expect(failure!.message).not.toContain(wrongKey);
    expect(failure!.message).not.toContain(bridge.serviceRoleKey);
    // A failed bucket check is not remembered: the next call asks again.
    const before = bridge.requests.length;
    await expect(store.put('knowledge/u/any', Buffer.from('x'), 'text/plain')).rejects.toThrow(/refused the service role key/);
    expect(bridge.requests.length).toBeGreaterThan(before);
  });

  it('fails with a clear error when Supabase cannot be reached', async () => {
    const closed = await startStorageBridge({ dir: path.join(scratch, 'closed') });
    await closed.close();
    const store = createSupabaseFileStore({ url: closed.url, serviceRoleKey: closed.serviceRoleKey, bucket: BUCKET });
    await expect(store.get('knowledge/u/any')).rejects.toThrow(/Supabase Storage at http:\/\/127\.0\.0\.1:\d+ could not be reached/);
  });
});

describe('getFileStore', () => {
  it('uses local files under FILES_DIR by default, one store per process', async () => {
    const dir = path.join(scratch, 'from-env');
    await withEnv({ FILES_DIR: dir, SUPABASE_URL: undefined, SUPABASE_SERVICE_ROLE_KEY: undefined }, async () => {
      setFileStore(undefined);
      const store = getFileStore();
      expect(store.kind).toBe('local');
      expect(getFileStore()).toBe(store);
      await store.put('knowledge/env/doc', Buffer.from('here'), 'text/plain');
      expect((await stat(path.join(dir, 'knowledge', 'env', 'doc'))).size).toBe(4);
    });
  });

  it('uses Supabase Storage when SUPABASE_URL and the service role key are set', async () => {
    await withEnv({ SUPABASE_URL: bridge.url, SUPABASE_SERVICE_ROLE_KEY: bridge.serviceRoleKey, SUPABASE_STORAGE_BUCKET: 'env-bucket' }, async () => {
      setFileStore(undefined);
      const store = getFileStore();
      expect(store.kind).toBe('supabase');
      await store.put('knowledge/env/doc', Buffer.from('there'), 'text/plain');
      expect((await store.get('knowledge/env/doc'))?.toString('utf8')).toBe('there');
      expect(bridge.requests).toContainEqual({ method: 'POST', path: '/storage/v1/object/env-bucket/knowledge/env/doc' });
    });
  });

  it('answers the store a test sets, until it is cleared', () => {
    const mine = createLocalFileStore(path.join(scratch, 'mine'));
    setFileStore(mine);
    expect(getFileStore()).toBe(mine);
    setFileStore(undefined);
    expect(getFileStore()).not.toBe(mine);
  });
});
