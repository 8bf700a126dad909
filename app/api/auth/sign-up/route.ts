import { signUp, signUpInput } from '@/lib/auth/local';
import { requireLocalAuth, respondWithSession } from '@/lib/auth/local-routes';
import { methods, publicRoute } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  POST: publicRoute(
    async ({ req, body }) => {
      requireLocalAuth();
      const input = await body(signUpInput);
      return respondWithSession(await signUp(input, req.headers), 201);
    },
    { sameOrigin: true },
  ),
});
