import { noContent, sessionRoute } from '@/lib/http/route';
import { revokeKey } from '@/lib/keys';

/** Revokes the key: it is refused from the very next request on. */
export const DELETE = sessionRoute<{ keyId: string }>(async ({ user, params }) => {
  await revokeKey({ userId: user.id, keyId: params.keyId });
  return noContent();
});
