import { sessionRoute } from '@/lib/auth/route';
import { methods, noContent } from '@/lib/http/route';
import { revokeKey } from '@/lib/keys';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** Revokes the key: it is refused from the very next request on. */
  DELETE: sessionRoute<{ keyId: string }>(async ({ user, params }) => {
    await revokeKey({ userId: user.id, keyId: params.keyId });
    return noContent();
  }),
});
