import { sessionRoute } from '@/lib/auth/route';
import { listDmContacts } from '@/lib/channels';
import { json, methods } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** Whom the caller may open a DM with: people they share a channel with, and reachable agents. */
  GET: sessionRoute(async ({ user }) => json(await listDmContacts({ userId: user.id }))),
});
