import { stopReply } from '@/lib/agents/replies';
import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** Stops an agent's reply in progress; what it wrote so far stays, marked stopped. */
  POST: sessionRoute<{ channelId: string; messageId: string }>(async ({ user, params }) => json({ message: await stopReply({ userId: user.id, ...params }) })),
});
