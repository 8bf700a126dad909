import { signIn, signInInput } from '@/lib/auth/local';
import { requireLocalAuth, respondWithSession } from '@/lib/auth/local-routes';
import { parseBody, publicRoute } from '@/lib/http/route';

export const POST = publicRoute(async ({ req }) => {
  requireLocalAuth();
  const input = await parseBody(req, signInInput);
  return respondWithSession(await signIn(input), 200);
});
