import 'server-only';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { env } from '@/lib/env';
import { AppError, invalidRequest } from '@/lib/http/errors';

/*
 * The key that seals the headers people give their MCP servers. In production it is
 * MCP_SECRET_KEY and nothing else: a key made up on one machine would not be there on the next.
 * Elsewhere, when it is unset, one random key is made once and kept in a file beside the data
 * folder (mode 0600), so a newcomer can add a server with a token without configuring anything.
 */

const MIN_KEY_CHARS = 16;
let remembered: { file: string; key: string } | undefined;

/** Where the development key lives: `.data/mcp-secret` with the default FILES_DIR (`.data/files`). */
export function developmentKeyFile(): string {
  return path.join(path.dirname(path.resolve(env().FILES_DIR)), 'mcp-secret');
}

async function readKey(file: string): Promise<string> {
  const key = (await fs.readFile(file, 'utf8')).trim();
  if (key.length < MIN_KEY_CHARS) {
    throw new AppError('unavailable', `The MCP header key in ${file} is shorter than ${MIN_KEY_CHARS} characters; set MCP_SECRET_KEY, or remove the file to have a new key made (headers sealed with the old one are then lost).`);
  }
  return key;
}

async function developmentKey(): Promise<string> {
  const file = developmentKeyFile();
  if (remembered?.file === file) return remembered.key;
  let key: string;
  try {
    key = await readKey(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await fs.mkdir(path.dirname(file), { recursive: true });
    try {
      // `wx`: of two processes starting at once, one writes and the other reads what it wrote.
      await fs.writeFile(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
    }
    key = await readKey(file);
  }
  remembered = { file, key };
  return key;
}

/** The sealing key, or undefined in production without MCP_SECRET_KEY. */
export async function sealingKey(): Promise<string | undefined> {
  const { MCP_SECRET_KEY, isProduction } = env();
  if (MCP_SECRET_KEY) return MCP_SECRET_KEY;
  if (isProduction) return undefined;
  return developmentKey();
}

/** For a server given headers: the key, or a 400 saying what the deployment lacks. */
export async function requireSealingKey(): Promise<string> {
  const key = await sealingKey();
  if (!key) throw invalidRequest('This hub cannot store MCP headers: MCP_SECRET_KEY must be set (at least 16 characters, e.g. openssl rand -hex 32). Servers without headers can still be added.', { headers: ['MCP_SECRET_KEY must be set on the server to store headers.'] });
  return key;
}
