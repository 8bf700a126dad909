import 'server-only';
import os from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane).
const options = { algorithm: 2 /* Algorithm.Argon2id: a const enum, not importable under isolatedModules */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// Each check takes ~19 MiB and a core for tens of milliseconds: a burst of sign-ins queues here
// instead of exhausting memory.
const slots = pLimit(Math.max(2, os.availableParallelism()));

export function hashPassword(password: string): Promise<string> {
  return slots(() => hash(password, options));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await slots(() => verify(passwordHash, password));
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** Spends the same time as a real check, so a wrong email and a wrong password look alike. */
export async function burnPasswordCheck(password: string): Promise<false> {
  dummyHash ??= hashPassword('neurocache-dummy-password');
  await verifyPassword(await dummyHash, password);
  return false;
}
