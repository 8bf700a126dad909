import { z } from 'zod';
import { idSchema } from '@/lib/ids';
import { CHANNELS_PER_JOIN, type ClientToServerEvents } from '@/lib/realtime/events';

// What each client event must carry. Ids arrive in any case and leave canonical (lowercase), so a
// capitalized id names the same room that services publish to.
const channelId = idSchema('channelId must be a channel id.');

const channelPayload = z.object({ channelId }).strict();

export const payloads = {
  'channel:join': channelPayload,
  'channel:leave': channelPayload,
  typing: channelPayload,
  'channels:join': z.object({ channelIds: z.array(channelId).max(CHANNELS_PER_JOIN, `At most ${CHANNELS_PER_JOIN} channels per join.`) }).strict(),
} satisfies Record<keyof ClientToServerEvents, z.ZodType>;

export type ClientEvent = keyof typeof payloads;
export type PayloadOf<E extends ClientEvent> = z.infer<(typeof payloads)[E]>;

export const isClientEvent = (event: unknown): event is ClientEvent => typeof event === 'string' && Object.hasOwn(payloads, event);

/** The help an invalid payload is answered with. */
export const payloadHelp: Record<ClientEvent, string> = {
  'channel:join': 'Send {channelId} with a channel id.',
  'channel:leave': 'Send {channelId} with a channel id.',
  typing: 'Send {channelId} with a channel id.',
  'channels:join': `Send {channelIds} with up to ${CHANNELS_PER_JOIN} channel ids.`,
};
