import type { ApiClient } from './api-client';

/** What every HTTP suite asserts about ids and timestamps (API.md conventions). */
export const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const isIso = (value: unknown) => typeof value === 'string' && new Date(value).toISOString() === value;

/** A name no other test in a shared database will use. */
export const uniqueName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

/** A signed-up person with their own cookie-keeping client. */
export async function person(hub: { client(): ApiClient }, name: string) {
  const client = hub.client();
  const user = await client.signUp(name);
  return { client, user };
}
