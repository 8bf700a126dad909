import { retryReply } from '@/lib/agents/replies';
import { json, sessionRoute } from '@/lib/http/route';

/** Runs a failed or stopped agent reply again, in the same message. */
export const POST = sessionRoute<{ channelId: string; messageId: string }>(async ({ user, params }) =>
  json({ message: await retryReply({ userId: user.id, ...params }) }, 202),
);
