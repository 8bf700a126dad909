import path from 'node:path';
import { z } from 'zod';

/**
 * The only reader of `process.env`. Every backend choice (embedded or hosted) is made here,
 * once, so the rest of the code asks `env()` what it is running on instead of sniffing variables.
 */
const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),

    // Database: DATABASE_URL selects real Postgres (local or Supabase); otherwise embedded PGlite.
    DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/, message: 'DATABASE_URL must be a postgres:// URL' }).optional()),
    PGLITE_DIR: z.string().default('.data/pglite'),
    // PGlite's page cache, in megabytes: it is taken from the process's memory at start.
    PGLITE_SHARED_BUFFERS_MB: z.coerce.number().int().min(16).max(4096).default(64),

    // Sign-in: Clerk when its keys are set; otherwise local email + password.
    CLERK_SECRET_KEY: optionalString,
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: optionalString,
    CLERK_JWT_KEY: optionalString,
    CLERK_AUTHORIZED_PARTIES: optionalString,

    SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),

    // Cache: Redis over TCP, or Upstash REST; otherwise an in-process LRU.
    REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/, message: 'REDIS_URL must be a redis:// or rediss:// URL' }).optional()),
    UPSTASH_REDIS_REST_URL: optionalString.pipe(z.url({ protocol: /^https?$/, message: 'UPSTASH_REDIS_REST_URL must be an https:// URL' }).optional()),
    UPSTASH_REDIS_REST_TOKEN: optionalString,
    CACHE_TIMEOUT_MS: z.coerce.number().int().min(5).max(10_000).optional(),
    CACHE_HISTORY_SIZE: z.coerce.number().int().min(10).max(2000).default(200),
    CACHE_TTL_SECONDS: z.coerce.number().int().min(10).max(30 * 86_400).default(3600),
    CACHE_MEMORY_MAX_KEYS: z.coerce.number().int().min(100).max(10_000_000).default(20_000),

    // Retention: messages older than this are deleted from Postgres and the cache.
    RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
    RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
    RETENTION_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(7 * 24 * 60).default(60),
    CRON_SECRET: optionalString,

    // Realtime: the Socket.io tier. Embedded mode runs it inside the hub process.
    APP_URL: optionalString.pipe(z.url({ message: 'APP_URL must be the hub origin, e.g. https://hub.example.com' }).optional()),
    REALTIME_SECRET: optionalString.pipe(z.string().min(32, 'REALTIME_SECRET must be at least 32 characters').optional()),
    NEXT_PUBLIC_REALTIME_URL: optionalString.pipe(z.url({ message: 'NEXT_PUBLIC_REALTIME_URL must be a URL' }).optional()),
    REALTIME_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    REALTIME_ALLOWED_ORIGINS: optionalString,

    // Chat markdown: https hosts whose images messages may show (the browser reads it, components/ui/markdown-images.ts).
    NEXT_PUBLIC_MARKDOWN_IMAGE_HOSTS: optionalString.pipe(
      z
        .string()
        .regex(/^\s*(?:\*\.)?[a-z0-9.-]+(?:\s*,\s*(?:\*\.)?[a-z0-9.-]+)*\s*$/i, 'NEXT_PUBLIC_MARKDOWN_IMAGE_HOSTS must be comma-separated host names, e.g. images.example.com,*.githubusercontent.com')
        .optional(),
    ),

    // Models: OpenAI or any OpenAI-compatible server; otherwise the labelled offline model.
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalString.pipe(z.url({ message: 'OPENAI_BASE_URL must be a URL, e.g. http://localhost:11434/v1' }).optional()),
    MODEL_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
    // Agent replies: how many run at once in one channel (the rest wait their turn), and how
    // much of the conversation each agent is given.
    // Public API: requests each key may make per sliding window.
    RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).max(1_000_000).default(60),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    // ...and per owner, across all of their keys, in the same window; and how many live keys one person may hold.
    RATE_LIMIT_OWNER_REQUESTS: z.coerce.number().int().min(1).max(10_000_000).default(180),
    API_KEYS_MAX_PER_USER: z.coerce.number().int().min(1).max(10_000).default(25),
    // Largest body the OpenAI-compatible and agent chat routes accept (hub routes take 64 KiB).
    API_MAX_BODY_BYTES: z.coerce.number().int().min(64 * 1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
    AGENT_CONCURRENCY_PER_CHANNEL: z.coerce.number().int().min(1).max(20).default(2),
    AGENT_CONTEXT_TOKENS: z.coerce.number().int().min(200).max(200_000).default(6000),
    AGENT_CONTEXT_MESSAGES: z.coerce.number().int().min(1).max(500).default(50),
    // The longest one agent reply may stream; a reply streaming longer was cut off (a crash, a
    // serverless function ended) and is ended as retryable by whichever process sees it next.
    AGENT_REPLY_MAX_SECONDS: z.coerce.number().int().min(1).max(3600).default(240),
    // Agent replies one person's message may set off in all, hand-offs included (they can fan out).
    AGENT_CHAIN_MAX_REPLIES: z.coerce.number().int().min(1).max(1000).default(10),
    // Replies one agent may post in a row (no person writing between them) before hand-offs to it stop.
    AGENT_MAX_REPLIES_IN_A_ROW: z.coerce.number().int().min(1).max(100).default(3),
    // Goal runs: the most tasks a plan may have, and the budget a run gets when its starter names none
    // (model calls, tokens, seconds; any one reached stops the run).
    RUN_MAX_TASKS: z.coerce.number().int().min(1).max(50).default(10),
    RUN_DEFAULT_STEPS: z.coerce.number().int().min(1).max(1000).default(40),
    RUN_DEFAULT_TOKENS: z.coerce.number().int().min(100).max(10_000_000).default(200_000),
    RUN_DEFAULT_SECONDS: z.coerce.number().int().min(5).max(86_400).default(900),
    // Spend ceiling: model calls and tokens one owner's agents may use per UTC day (0 = unlimited).
    AGENT_DAILY_CALLS: z.coerce.number().int().min(0).max(100_000_000).default(1000),
    AGENT_DAILY_TOKENS: z.coerce.number().int().min(0).max(10_000_000_000).default(2_000_000),

    // Abuse limits, all exact sliding logs (lib/ratelimit). Sign-in: failed attempts per account,
    // and attempts per client address, in the window; sign-up: accounts made per address.
    AUTH_SIGNIN_ACCOUNT_LIMIT: z.coerce.number().int().min(1).max(100_000).default(10),
    AUTH_SIGNIN_ADDRESS_LIMIT: z.coerce.number().int().min(1).max(100_000).default(50),
    AUTH_SIGNIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    AUTH_SIGNUP_ADDRESS_LIMIT: z.coerce.number().int().min(1).max(100_000).default(10),
    AUTH_SIGNUP_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
    // Messages one person may send in the window, across channels (429 with Retry-After beyond).
    SEND_RATE_LIMIT_MESSAGES: z.coerce.number().int().min(1).max(100_000).default(30),
    SEND_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
    // Realtime connections one person may hold at once (tabs and devices).
    REALTIME_MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
    // Client addresses come from X-Forwarded-For only behind a proxy that sets it (Vercel does).
    TRUST_PROXY: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((value) => value === 'true' || value === '1'),
    // Behind proxies that append to X-Forwarded-For (nginx, AWS ALB): the entry this many from the
    // right is the one the outermost trusted proxy wrote. Unset: the first entry (Vercel overwrites).
    TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(20).optional(),

    // Files (documents, attachments): Supabase Storage when both are set; otherwise local files.
    FILES_DIR: z.string().default('.data/files'),
    SUPABASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/, message: 'SUPABASE_URL must be your project URL, e.g. https://abc.supabase.co' }).optional()),
    SUPABASE_SERVICE_ROLE_KEY: optionalString,
    SUPABASE_STORAGE_BUCKET: z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, 'use 2 to 63 lowercase letters, digits, dots, hyphens or underscores').default('neurocache'),

    // Knowledge: what one upload, one document and one person may hold, and how many documents
    // are indexed at once per process.
    KNOWLEDGE_MAX_FILE_BYTES: z.coerce.number().int().min(1024).max(1024 ** 3).default(25 * 1024 * 1024),
    KNOWLEDGE_MAX_FILES_PER_UPLOAD: z.coerce.number().int().min(1).max(200).default(20),
    KNOWLEDGE_MAX_PASSAGES_PER_DOCUMENT: z.coerce.number().int().min(1).max(1_000_000).default(5000),
    KNOWLEDGE_MAX_BYTES_PER_USER: z.coerce.number().int().min(1024).max(1024 ** 4).default(500 * 1024 * 1024),
    KNOWLEDGE_INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
    // Documents one person may have waiting to be indexed (each web page is a fetch).
    KNOWLEDGE_MAX_PENDING_PER_USER: z.coerce.number().int().min(1).max(100_000).default(200),
    // Passages of an agent's knowledge given to it for each reply.
    KNOWLEDGE_CONTEXT_PASSAGES: z.coerce.number().int().min(1).max(50).default(5),
    // Embeddings: with a model set, search fuses full-text and vector rankings. The server is
    // OPENAI_BASE_URL (and its key) unless EMBEDDINGS_BASE_URL is given (e.g. Ollama for
    // embeddings, OpenAI for chat).
    EMBEDDINGS_MODEL: optionalString,
    EMBEDDINGS_BASE_URL: optionalString.pipe(z.url({ message: 'EMBEDDINGS_BASE_URL must be a URL, e.g. http://localhost:11434/v1' }).optional()),
    EMBEDDINGS_API_KEY: optionalString,

    // Outbound requests (web pages, search providers, MCP servers) reach public addresses only;
    // hosts named here (comma-separated host or host:port) are let through (local test servers).
    OUTBOUND_ALLOW_HOSTS: optionalString,
    OUTBOUND_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 ** 3).default(10 * 1024 * 1024),
    OUTBOUND_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),

    // Abilities (tools). One reply calls tools in at most this many rounds, each tool call
    // within the timeout; then the model answers without tools.
    AGENT_MAX_TOOL_STEPS: z.coerce.number().int().min(1).max(20).default(6),
    AGENT_TOOL_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
    // Web search: the first provider configured, or the one WEB_SEARCH_PROVIDER names.
    WEB_SEARCH_PROVIDER: optionalString.pipe(z.enum(['searxng', 'tavily', 'brave'], { message: 'WEB_SEARCH_PROVIDER must be searxng, tavily or brave' }).optional()),
    SEARXNG_URL: optionalString.pipe(z.url({ protocol: /^https?$/, message: 'SEARXNG_URL must be the SearXNG instance URL, e.g. http://localhost:8888' }).optional()),
    TAVILY_API_KEY: optionalString,
    BRAVE_SEARCH_API_KEY: optionalString,
    WEB_SEARCH_MAX_RESULTS: z.coerce.number().int().min(1).max(20).default(5),
    // MCP: the key that seals the headers people give their servers (at least 16 characters;
    // in development a key is made once under .data when unset), and the deployment's own
    // stdio servers, a JSON array of {"name", "command", "args"?, "env"?}.
    MCP_SECRET_KEY: optionalString.pipe(z.string().min(16, 'MCP_SECRET_KEY must be at least 16 characters (openssl rand -hex 32)').optional()),
    MCP_SERVERS: optionalString,
    // Attachments in channels: the largest image or document, the largest video, and how many one message may carry.
    ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 ** 3).default(25 * 1024 * 1024),
    ATTACHMENT_MAX_VIDEO_BYTES: z.coerce.number().int().min(1024).max(4 * 1024 ** 3).default(200 * 1024 * 1024),
    ATTACHMENTS_PER_MESSAGE: z.coerce.number().int().min(1).max(50).default(10),
  })
  .superRefine((value, ctx) => {
    const clerkKeys = [value.CLERK_SECRET_KEY, value.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY];
    if (clerkKeys.every(Boolean) && value.NODE_ENV === 'production' && !value.CLERK_AUTHORIZED_PARTIES) {
      ctx.addIssue({
        code: 'custom',
        path: ['CLERK_AUTHORIZED_PARTIES'],
        message: "set it to the hub's origin(s) in production, so sessions minted for other sites are refused",
      });
    }
    if (value.NODE_ENV === 'production' && value.REDIS_URL && !value.REALTIME_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['REALTIME_SECRET'],
        message: 'set it (openssl rand -hex 32) when several processes share REDIS_URL: they must all verify the same realtime tokens',
      });
    }
    if (value.TRUST_PROXY_HOPS && !value.TRUST_PROXY) {
      ctx.addIssue({ code: 'custom', path: ['TRUST_PROXY_HOPS'], message: 'it only applies with TRUST_PROXY=true: set that too, or unset it' });
    }
    if (Boolean(value.SUPABASE_URL) !== Boolean(value.SUPABASE_SERVICE_ROLE_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['SUPABASE_SERVICE_ROLE_KEY'], message: 'set both SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY, or neither' });
    }
    if (value.EMBEDDINGS_MODEL && !value.EMBEDDINGS_BASE_URL && !value.OPENAI_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['EMBEDDINGS_MODEL'], message: 'set OPENAI_API_KEY (and OPENAI_BASE_URL) or EMBEDDINGS_BASE_URL, the server that runs the model' });
    }
    if (value.MCP_SERVERS) {
      try {
        if (!Array.isArray(JSON.parse(value.MCP_SERVERS))) throw new Error('not an array');
      } catch {
        ctx.addIssue({ code: 'custom', path: ['MCP_SERVERS'], message: 'MCP_SERVERS must be a JSON array of {"name", "command", "args"?, "env"?}' });
      }
    }
    if (Boolean(value.UPSTASH_REDIS_REST_URL) !== Boolean(value.UPSTASH_REDIS_REST_TOKEN)) {
      ctx.addIssue({ code: 'custom', path: ['UPSTASH_REDIS_REST_TOKEN'], message: 'set both UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or neither' });
    }
    if (clerkKeys.some(Boolean) && !clerkKeys.every(Boolean)) {
      ctx.addIssue({
        code: 'custom',
        path: ['CLERK_SECRET_KEY'],
        message: 'set both CLERK_SECRET_KEY and NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY, or neither',
      });
    }
  });

export type RawEnv = z.infer<typeof schema>;

export type CacheConfig =
  | { kind: 'memory'; maxKeys: number }
  | { kind: 'redis'; url: string; timeoutMs: number }
  | { kind: 'upstash'; url: string; token: string; timeoutMs: number };

export type Env = RawEnv & {
  cache: CacheConfig;
  /** Origins whose browsers may open a realtime connection. */
  realtimeOrigins: string[];
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string; sharedBuffersMb: number };
  storage: { kind: 'local'; dir: string } | { kind: 'supabase'; url: string; serviceRoleKey: string; bucket: string };
  embeddings?: { model: string; baseURL?: string; apiKey: string };
  /** Lowercased `host` and `host:port` entries of OUTBOUND_ALLOW_HOSTS. */
  outboundAllowHosts: string[];
  auth: { kind: 'clerk'; secretKey: string; publishableKey: string; jwtKey?: string; authorizedParties: string[] } | { kind: 'local' };
  isProduction: boolean;
};

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new EnvError(`Invalid environment configuration:\n${lines.join('\n')}`);
  }
  const raw = result.data;
  return {
    ...raw,
    isProduction: raw.NODE_ENV === 'production',
    realtimeOrigins: [
      ...(raw.APP_URL ? [new URL(raw.APP_URL).origin] : [`http://localhost:${raw.PORT}`, `http://127.0.0.1:${raw.PORT}`]),
      ...(raw.REALTIME_ALLOWED_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter(Boolean),
    ],
    // Redis wins over Upstash when both are set: a TCP connection is the faster of the two.
    cache: raw.REDIS_URL
      ? { kind: 'redis', url: raw.REDIS_URL, timeoutMs: raw.CACHE_TIMEOUT_MS ?? 100 }
      : raw.UPSTASH_REDIS_REST_URL && raw.UPSTASH_REDIS_REST_TOKEN
        ? { kind: 'upstash', url: raw.UPSTASH_REDIS_REST_URL, token: raw.UPSTASH_REDIS_REST_TOKEN, timeoutMs: raw.CACHE_TIMEOUT_MS ?? 1000 }
        : { kind: 'memory', maxKeys: raw.CACHE_MEMORY_MAX_KEYS },
    database: raw.DATABASE_URL
      ? { kind: 'postgres', url: raw.DATABASE_URL }
      : { kind: 'pglite', dataDir: path.resolve(raw.PGLITE_DIR), sharedBuffersMb: raw.PGLITE_SHARED_BUFFERS_MB },
    storage:
      raw.SUPABASE_URL && raw.SUPABASE_SERVICE_ROLE_KEY
        ? { kind: 'supabase', url: raw.SUPABASE_URL, serviceRoleKey: raw.SUPABASE_SERVICE_ROLE_KEY, bucket: raw.SUPABASE_STORAGE_BUCKET }
        : { kind: 'local', dir: path.resolve(raw.FILES_DIR) },
    ...(raw.EMBEDDINGS_MODEL
      ? {
          embeddings: {
            model: raw.EMBEDDINGS_MODEL,
            baseURL: raw.EMBEDDINGS_BASE_URL ?? raw.OPENAI_BASE_URL,
            // Local servers (Ollama, vLLM) take any key; the SDK insists on one.
            apiKey: raw.EMBEDDINGS_API_KEY ?? (raw.EMBEDDINGS_BASE_URL ? 'none' : (raw.OPENAI_API_KEY ?? 'none')),
          },
        }
      : {}),
    outboundAllowHosts: (raw.OUTBOUND_ALLOW_HOSTS ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
    auth:
      raw.CLERK_SECRET_KEY && raw.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY
        ? {
            kind: 'clerk',
            secretKey: raw.CLERK_SECRET_KEY,
            publishableKey: raw.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
            jwtKey: raw.CLERK_JWT_KEY?.replace(/\\n/g, '\n'),
            authorizedParties: (raw.CLERK_AUTHORIZED_PARTIES ?? '')
              .split(',')
              .map((party) => party.trim())
              .filter(Boolean),
          }
        : { kind: 'local' },
  };
}

let cached: Env | undefined;

/** The validated environment, parsed on first use. Throws an EnvError naming every bad variable. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests change variables between suites; this forgets the parsed copy. */
export function resetEnv(): void {
  cached = undefined;
}
