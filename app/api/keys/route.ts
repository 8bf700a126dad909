import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { createKey, listKeys } from '@/lib/keys';
import { createKeyInput } from '@/lib/keys/schemas';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute(async ({ user }) => json({ keys: await listKeys({ userId: user.id }) })),

  /** The answer is the only time the secret is ever shown. */
  POST: sessionRoute(async ({ body, user }) => {
    const input = await body(createKeyInput);
    return json(await createKey({ userId: user.id, input }), { status: 201, headers: { 'Cache-Control': 'no-store' } });
  }),
});
