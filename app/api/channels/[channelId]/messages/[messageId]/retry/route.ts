import { retryReply } from '@/lib/agents/replies';
import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';

// On Vercel the function lives on (through after()) while the agent replies this starts stream;
// AGENT_REPLY_MAX_SECONDS (240) cuts every reply off before this.
export const maxDuration = 300;

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** Runs a failed or stopped agent reply again, in the same message. */
  POST: sessionRoute<{ channelId: string; messageId: string }>(async ({ user, params }) => json({ message: await retryReply({ userId: user.id, ...params }) }, 202)),
});
