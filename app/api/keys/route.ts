import { json, parseBody, sessionRoute } from '@/lib/http/route';
import { createKey, listKeys } from '@/lib/keys';
import { createKeyInput } from '@/lib/keys/schemas';

export const GET = sessionRoute(async ({ user }) => json({ keys: await listKeys({ userId: user.id }) }));

/** The answer is the only time the secret is ever shown. */
export const POST = sessionRoute(async ({ req, user }) => {
  const input = await parseBody(req, createKeyInput);
  return json(await createKey({ userId: user.id, input }), { status: 201, headers: { 'Cache-Control': 'no-store' } });
});
