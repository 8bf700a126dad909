import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resetEnv } from '@/lib/env';
import { setFileStore } from '@/lib/storage';
import { setEnv } from './env';

/*
 * A local stand-in for Supabase Storage's REST API, backed by files on disk, so the Supabase file
 * store is tested through the real supabase-js client without the network. It speaks what
 * @supabase/storage-js sends (paths under /storage/v1):
 *
 * - GET    /bucket                      → [bucket]
 * - GET    /bucket/:id                  → bucket, or 404 {statusCode: "404", error: "Bucket not found", message}
 * - POST   /bucket  {id, name, public}  → {name}, or 409 {statusCode: "409", error: "Duplicate", message}
 * - DELETE /bucket/:id                  → {message} (the bucket must be empty)
 * - POST   /object/:bucket/:path        raw body, content-type, x-upsert: "true" | "false" → {Id, Key}
 * - PUT    /object/:bucket/:path        replaces an existing object → {Id, Key}
 * - GET    /object/:bucket/:path        (and /object/authenticated/...) → the bytes, with their content-type
 * - DELETE /object/:bucket  {prefixes: [path]} → [object] actually deleted (missing paths ignored)
 * - Authorization: Bearer <service role key> and apikey: <key>, else 401. A missing object is
 *   404 {statusCode: "404", error: "not_found", message: "Object not found"}.
 */

export type StorageBridge = {
  url: string;
  serviceRoleKey: string;
  /** Every request received, in order (unauthorized ones too). */
  requests: { method: string; path: string }[];
  close(): Promise<void>;
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

const notFoundObject = () => new HttpError(404, 'not_found', 'Object not found');
const notFoundBucket = () => new HttpError(404, 'Bucket not found', 'Bucket not found');
const badRequest = (message: string) => new HttpError(400, 'InvalidRequest', message);

const BUCKET_ID = /^[A-Za-z0-9._-]{1,100}$/;
const SEGMENT = /^[^/\\\0]+$/;

type BucketRecord = { id: string; name: string; owner: string; public: boolean; file_size_limit: number | null; allowed_mime_types: string[] | null; created_at: string; updated_at: string };
type ObjectMeta = { id: string; contentType: string; size: number; created_at: string; updated_at: string };

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse((await readBody(req)).toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw badRequest('body must be a JSON object');
}

async function readJsonFile<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeAtomically(file: string, data: Uint8Array | string) {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomUUID()}.tmp`;
  await writeFile(temp, data);
  await rename(temp, file);
}

export async function startStorageBridge({ dir, serviceRoleKey = `bridge-service-role-${randomBytes(16).toString('hex')}` }: { dir: string; serviceRoleKey?: string }): Promise<StorageBridge> {
  const requests: { method: string; path: string }[] = [];
  const bucketFile = (id: string) => path.join(dir, 'buckets', `${id}.json`);
  const objectFile = (bucket: string, name: string) => path.join(dir, 'objects', bucket, ...name.split('/'));
  const metaFile = (bucket: string, name: string) => `${path.join(dir, 'meta', bucket, ...name.split('/'))}.json`;

  const bucketOf = async (id: string) => {
    if (!BUCKET_ID.test(id)) throw notFoundBucket();
    const record = await readJsonFile<BucketRecord>(bucketFile(id));
    if (!record) throw notFoundBucket();
    return record;
  };

  /** "a/b/c" from the URL's remaining segments, refusing anything that could leave the bucket. */
  const objectName = (segments: string[]) => {
    const names = segments.map((segment) => decodeURIComponent(segment)).filter(Boolean);
    if (names.length === 0 || names.some((name) => !SEGMENT.test(name) || name === '.' || name === '..')) throw badRequest('invalid object name');
    return names.join('/');
  };

  async function upload(req: IncomingMessage, res: ServerResponse, bucket: string, name: string) {
    await bucketOf(bucket);
    const contentType = String(req.headers['content-type'] ?? 'application/octet-stream');
    if (contentType.toLowerCase().startsWith('multipart/')) throw badRequest('the bridge accepts raw uploads only');
    const existing = await readJsonFile<ObjectMeta>(metaFile(bucket, name));
    if (req.method === 'PUT' && !existing) throw notFoundObject();
    if (req.method === 'POST' && existing && req.headers['x-upsert'] !== 'true') throw new HttpError(409, 'Duplicate', 'The resource already exists');
    const data = await readBody(req);
    const now = new Date().toISOString();
    const meta: ObjectMeta = { id: existing?.id ?? randomUUID(), contentType, size: data.length, created_at: existing?.created_at ?? now, updated_at: now };
    await writeAtomically(objectFile(bucket, name), data);
    await writeAtomically(metaFile(bucket, name), JSON.stringify(meta));
    send(res, 200, { Id: meta.id, Key: `${bucket}/${name}` });
  }

  async function download(res: ServerResponse, bucket: string, name: string) {
    await bucketOf(bucket);
    const meta = await readJsonFile<ObjectMeta>(metaFile(bucket, name));
    if (!meta) throw notFoundObject();
    const data = await readFile(objectFile(bucket, name));
    res.writeHead(200, { 'content-type': meta.contentType, 'content-length': data.length, 'cache-control': 'no-cache', etag: `"${meta.id}-${meta.updated_at}"` });
    res.end(data);
  }

  async function removeObjects(req: IncomingMessage, res: ServerResponse, bucket: string) {
    await bucketOf(bucket);
    const { prefixes } = await readJson(req);
    if (!Array.isArray(prefixes) || prefixes.some((prefix) => typeof prefix !== 'string')) throw badRequest('prefixes must be an array of paths');
    const deleted: unknown[] = [];
    for (const prefix of prefixes as string[]) {
      const name = objectName(prefix.split('/'));
      const meta = await readJsonFile<ObjectMeta>(metaFile(bucket, name));
      if (!meta) continue;
      await rm(objectFile(bucket, name), { force: true });
      await rm(metaFile(bucket, name), { force: true });
      deleted.push({ name, bucket_id: bucket, id: meta.id, owner: '', created_at: meta.created_at, updated_at: meta.updated_at, last_accessed_at: meta.updated_at, metadata: { size: meta.size, mimetype: meta.contentType } });
    }
    send(res, 200, deleted);
  }

  async function createBucket(req: IncomingMessage, res: ServerResponse) {
    const body = await readJson(req);
    const id = typeof body.id === 'string' ? body.id : typeof body.name === 'string' ? body.name : '';
    if (!BUCKET_ID.test(id)) throw badRequest('invalid bucket name');
    if (await readJsonFile<BucketRecord>(bucketFile(id))) throw new HttpError(409, 'Duplicate', 'The resource already exists');
    const now = new Date().toISOString();
    const record: BucketRecord = {
      id,
      name: id,
      owner: '',
      public: body.public === true,
      file_size_limit: typeof body.file_size_limit === 'number' ? body.file_size_limit : null,
      allowed_mime_types: Array.isArray(body.allowed_mime_types) ? (body.allowed_mime_types as string[]) : null,
      created_at: now,
      updated_at: now,
    };
    await writeAtomically(bucketFile(id), JSON.stringify(record));
    send(res, 200, { name: id });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const pathname = new URL(req.url ?? '/', 'http://bridge').pathname;
    const method = req.method ?? 'GET';
    requests.push({ method, path: pathname });
    if (req.headers.authorization !== `Bearer ${serviceRoleKey}` || req.headers.apikey !== serviceRoleKey) {
      return send(res, 401, { statusCode: '401', error: 'Unauthorized', message: 'Invalid Compact JWS' });
    }
    const parts = pathname.split('/').filter(Boolean);
    if (parts[0] !== 'storage' || parts[1] !== 'v1') throw new HttpError(404, 'not_found', `no such endpoint: ${pathname}`);
    const [area, ...rest] = parts.slice(2);

    if (area === 'bucket') {
      if (rest.length === 0 && method === 'GET') {
        const files = await readdir(path.join(dir, 'buckets')).catch(() => [] as string[]);
        const buckets = await Promise.all(files.filter((file) => file.endsWith('.json')).map((file) => readJsonFile<BucketRecord>(path.join(dir, 'buckets', file))));
        return send(res, 200, buckets.filter(Boolean));
      }
      if (rest.length === 0 && method === 'POST') return createBucket(req, res);
      if (rest.length === 1 && method === 'GET') return send(res, 200, await bucketOf(decodeURIComponent(rest[0]!)));
      if (rest.length === 1 && method === 'DELETE') {
        const id = decodeURIComponent(rest[0]!);
        await bucketOf(id);
        const left = await readdir(path.join(dir, 'meta', id)).catch(() => [] as string[]);
        if (left.length > 0) throw new HttpError(409, 'InvalidRequest', 'The bucket you tried to delete is not empty');
        await rm(bucketFile(id), { force: true });
        return send(res, 200, { message: 'Successfully deleted' });
      }
    }
    if (area === 'object') {
      const segments = rest[0] === 'authenticated' ? rest.slice(1) : rest;
      const bucket = decodeURIComponent(segments[0] ?? '');
      if (segments.length === 1 && method === 'DELETE') return removeObjects(req, res, bucket);
      if (segments.length >= 2) {
        const name = objectName(segments.slice(1));
        if (method === 'GET') return download(res, bucket, name);
        if ((method === 'POST' || method === 'PUT') && rest[0] !== 'authenticated') return upload(req, res, bucket, name);
      }
    }
    throw new HttpError(404, 'not_found', `no such endpoint: ${method} ${pathname}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError) return send(res, error.status, { statusCode: String(error.status), error: error.error, message: error.message });
      send(res, 500, { statusCode: '500', error: 'internal', message: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    serviceRoleKey,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * For a suite: the hub's file store is Supabase Storage (supabase-js) served by a bridge onto a
 * scratch folder (`dir`), from beforeAll to afterAll; `current()` is the running bridge.
 */
export function useStorageBridge(prefix: string, bucket = 'hub-files'): { dir: string; current(): StorageBridge } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let bridge: StorageBridge | undefined;
  let restoreEnv: () => void;
  beforeAll(async () => {
    bridge = await startStorageBridge({ dir });
    restoreEnv = setEnv({ SUPABASE_URL: bridge.url, SUPABASE_SERVICE_ROLE_KEY: bridge.serviceRoleKey, SUPABASE_STORAGE_BUCKET: bucket });
    resetEnv();
    setFileStore(undefined);
  });
  afterAll(async () => {
    restoreEnv?.();
    resetEnv();
    setFileStore(undefined);
    await bridge?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    current() {
      if (!bridge) throw new Error('The storage bridge starts in beforeAll.');
      return bridge;
    },
  };
}
