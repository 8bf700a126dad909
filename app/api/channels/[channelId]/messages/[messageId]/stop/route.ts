import { stopReply } from '@/lib/agents/replies';
import { json, sessionRoute } from '@/lib/http/route';

/** Stops an agent's reply in progress; what it wrote so far stays, marked stopped. */
export const POST = sessionRoute<{ channelId: string; messageId: string }>(async ({ user, params }) =>
  json({ message: await stopReply({ userId: user.id, ...params }) }),
);
