import { signIn, signInInput } from '@/lib/auth/local';
import { requireLocalAuth, respondWithSession } from '@/lib/auth/local-routes';
import { methods, publicRoute } from '@/lib/http/route';

// sameOrigin: another site's page must not sign a visitor in (to an account it controls) or out.
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  POST: publicRoute(
    async ({ req, body }) => {
      requireLocalAuth();
      const input = await body(signInInput);
      return respondWithSession(await signIn(input, req.headers), 200);
    },
    { sameOrigin: true },
  ),
});
