import { stopReply } from '@/lib/agents/replies';
import { json, methods, sessionRoute } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** Stops an agent's reply in progress; what it wrote so far stays, marked stopped. */
  POST: sessionRoute<{ channelId: string; messageId: string }>(async ({ user, params }) => json({ message: await stopReply({ userId: user.id, ...params }) })),
});
