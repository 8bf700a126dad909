import { z } from 'zod';
import { storableText } from '@/lib/validation/text';

export const channelName = storableText().trim().min(1, 'Enter a channel name.').max(80, 'Use at most 80 characters.');
export const channelDescription = storableText().trim().max(1000, 'Use at most 1000 characters.');

export const createChannelInput = z.object({ name: channelName, description: channelDescription.optional() });

export const updateChannelInput = z
  .object({ name: channelName.optional(), description: channelDescription.optional() })
  .refine((value) => value.name !== undefined || value.description !== undefined, 'Give a name or a description to change.');

export const addMemberInput = z.union([
  z.object({ email: z.email('Enter a valid email address.').max(254) }).strict(),
  z.object({ agentId: z.uuid('Not a valid agent id.') }).strict(),
]);
