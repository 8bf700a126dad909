import 'server-only';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { McpToolError } from './errors';

/*
 * The headers a person gives an MCP server (usually an Authorization token). They are checked
 * before they are stored, encrypted at rest with AES-256-GCM under a key derived from the
 * deployment's secret, and only their names are ever shown again.
 */

export type McpHeaders = Record<string, string>;

const MAX_HEADERS = 20;
const MAX_NAME_CHARS = 100;
const MAX_VALUE_CHARS = 8 * 1024;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Values the transport sets itself, or that would change how the request is framed or routed.
const RESERVED = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'accept',
  'accept-encoding',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
]);

const invalid = (message: string) => new McpToolError('invalid_config', message);

/**
 * Headers as the hub will send them: an object of string values, names that are HTTP tokens and
 * not ones the transport owns, values without line breaks, within count and size limits. Names
 * keep their spelling; a name given twice in different cases is refused.
 */
export function normalizeMcpHeaders(input: unknown): McpHeaders {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw invalid('Headers must be an object of names and values.');
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) throw invalid(`At most ${MAX_HEADERS} headers are accepted.`);
  const headers: McpHeaders = {};
  const seen = new Set<string>();
  for (const [rawName, value] of entries) {
    const name = rawName.trim();
    if (!name || name.length > MAX_NAME_CHARS || !TOKEN.test(name)) throw invalid(`"${name.slice(0, MAX_NAME_CHARS)}" is not a valid header name.`);
    const key = name.toLowerCase();
    if (RESERVED.has(key)) throw invalid(`The ${key} header is set by the hub and cannot be given.`);
    if (seen.has(key)) throw invalid(`The ${key} header is given twice.`);
    seen.add(key);
    if (typeof value !== 'string') throw invalid(`The value of ${name} must be a string.`);
    if (value.length > MAX_VALUE_CHARS) throw invalid(`The value of ${name} is longer than ${MAX_VALUE_CHARS} characters.`);
    // Line breaks would start a header of their own; other control characters are refused by Node anyway.
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) throw invalid(`The value of ${name} contains control characters.`);
    headers[name] = value.trim();
  }
  return headers;
}

/** The names only, sorted: what the API shows of a server's headers. */
export function redactHeaders(headers: McpHeaders | null | undefined): string[] {
  return Object.keys(headers ?? {}).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

const VERSION = 'v1';
const INFO = 'neurocache:mcp-headers:v1';
const MIN_SECRET_CHARS = 16;

function keyFrom(secret: string): Buffer {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_CHARS) throw new McpToolError('invalid_config', `The key for MCP header encryption must be at least ${MIN_SECRET_CHARS} characters.`);
  // HKDF, not a password hash: the secret is a deployment key (random, long), not a person's password.
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), INFO, 32));
}

const b64 = (bytes: Buffer) => bytes.toString('base64url');

/**
 * Headers sealed for storage: `v1.<iv>.<tag>.<ciphertext>` (base64url), AES-256-GCM with a fresh
 * 96-bit IV. `context` (a server's id) is bound in as associated data, so a blob copied onto
 * another row does not decrypt there.
 */
export function encryptHeaders(headers: McpHeaders, secret: string, options: { context?: string } = {}): string {
  const key = keyFrom(secret);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${VERSION}:${options.context ?? ''}`, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(headers), 'utf8'), cipher.final()]);
  return [VERSION, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join('.');
}

/** The headers of a blob from encryptHeaders; a changed blob, another key or another context fails. */
export function decryptHeaders(blob: string, secret: string, options: { context?: string } = {}): McpHeaders {
  const key = keyFrom(secret);
  const parts = typeof blob === 'string' ? blob.split('.') : [];
  const unreadable = () => new McpToolError('invalid_config', "The MCP server's stored headers cannot be read (altered, or sealed with another key).");
  if (parts.length !== 4 || parts[0] !== VERSION) throw unreadable();
  const [iv, tag, ciphertext] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
  if (iv!.length !== 12 || tag!.length !== 16) throw unreadable();
  let text: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv!, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(`${VERSION}:${options.context ?? ''}`, 'utf8'));
    decipher.setAuthTag(tag!);
    text = Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8');
  } catch {
    throw unreadable();
  }
  const value: unknown = JSON.parse(text);
  return normalizeMcpHeaders(value);
}
