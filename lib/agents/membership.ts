import 'server-only';
import { and, eq } from 'drizzle-orm';
import { requireMember } from '@/lib/channels/access';
import { toMemberJson } from '@/lib/channels';
import { dmRefusals } from '@/lib/channels/dms';
import type { MemberJson } from '@/lib/contracts/channels';
import { getDb } from '@/lib/db';
import { isForeignKeyViolation, isUniqueViolation } from '@/lib/db/errors';
import { agents, channelMembers } from '@/lib/db/schema';
import { conflict, notFound } from '@/lib/http/errors';
import { newId } from '@/lib/ids';
import { getPublisher } from '@/lib/realtime/publisher';
import { requireOwnAgent } from './index';

/**
 * Any member may bring one of their own agents into the channel (another owner's agent is not
 * found). Handles are how agents are mentioned, so two agents in a channel never share one.
 */
export async function addAgentMember({ userId, channelId, agentId }: { userId: string; channelId: string; agentId: string }): Promise<MemberJson> {
  const db = await getDb();
  const { channel } = await requireMember(db, { userId, channelId });
  if (channel.kind === 'dm') throw dmRefusals.add();
  const agent = await requireOwnAgent({ userId, agentId });
  const [sameHandle] = await db
    .select({ id: agents.id })
    .from(channelMembers)
    .innerJoin(agents, eq(agents.id, channelMembers.agentId))
    .where(and(eq(channelMembers.channelId, channel.id), eq(agents.handle, agent.handle)))
    .limit(1);
  if (sameHandle && sameHandle.id !== agent.id) throw conflict(`Another agent in this channel already answers to @${agent.handle}.`);
  try {
    const [member] = await db.insert(channelMembers).values({ id: newId(), channelId: channel.id, kind: 'agent', agentId: agent.id }).returning();
    getPublisher().toChannel(channel.id, 'channel:updated', { channelId: channel.id });
    return toMemberJson({ member: member!, name: null, email: null, agent, ownerId: channel.ownerId });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`${agent.name} is already in this channel.`);
    if (isForeignKeyViolation(error)) throw notFound('Channel');
    throw error;
  }
}
