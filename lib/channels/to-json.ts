import 'server-only';
import type { ChannelJson } from '@/lib/contracts/channels';
import type { Channel } from '@/lib/db/schema';

export function toChannelJson(channel: Channel): ChannelJson {
  return {
    id: channel.id,
    name: channel.name,
    description: channel.description,
    ownerId: channel.ownerId,
    answerMode: channel.answerMode,
    leadAgentId: channel.leadAgentId,
    hopLimit: channel.hopLimit,
    kind: channel.kind,
    createdAt: channel.createdAt.toISOString(),
    updatedAt: channel.updatedAt.toISOString(),
  };
}
