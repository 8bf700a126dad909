import { requireLocalAuth } from '@/lib/auth/local-routes';
import { deleteSession, sessionCookieOptions, SESSION_COOKIE } from '@/lib/auth/sessions';
import { methods, noContent, publicRoute } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  POST: publicRoute(
    async ({ req }) => {
      requireLocalAuth();
      await deleteSession({ token: req.cookies.get(SESSION_COOKIE)?.value ?? '' });
      const response = noContent();
      response.cookies.set(SESSION_COOKIE, '', sessionCookieOptions());
      return response;
    },
    { sameOrigin: true },
  ),
});
