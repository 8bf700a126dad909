import 'server-only';
import { z } from 'zod';
import { answerModes } from '@/lib/db/schema';
import { idSchema } from '@/lib/ids';
import { isBlank, storableText } from '@/lib/validation/text';

export const channelName = storableText()
  .trim()
  .max(80, 'Use at most 80 characters.')
  .refine((value) => !isBlank(value), 'Enter a channel name.');
export const channelDescription = storableText().trim().max(1000, 'Use at most 1000 characters.');

export const createChannelInput = z.object({ name: channelName, description: channelDescription.optional() });

export const updateChannelInput = z
  .object({
    name: channelName.optional(),
    description: channelDescription.optional(),
    // Who answers a message that mentions no agent.
    answerMode: z.enum(answerModes, { error: 'Use nobody, lead or orchestrator.' }).optional(),
    leadAgentId: idSchema('Not a valid agent id.').nullable().optional(),
    hopLimit: z.number({ error: 'hopLimit must be a number.' }).int('Use a whole number.').min(1, 'Use 1 to 10.').max(10, 'Use 1 to 10.').optional(),
  })
  .strict()
  .refine((value) => Object.values(value).some((field) => field !== undefined), 'Give at least one field to change.');

export const addMemberInput = z.union([
  z.object({ email: z.email('Enter a valid email address.').max(254) }).strict(),
  z.object({ agentId: idSchema('Not a valid agent id.') }).strict(),
]);

export const openDmInput = z.union(
  [z.object({ userId: idSchema('Not a valid user id.') }).strict(), z.object({ agentId: idSchema('Not a valid agent id.') }).strict()],
  { error: 'Give a userId or an agentId.' },
);

export const markReadInput = z.object({ lastReadId: idSchema('Not a valid message id.') }).strict();
