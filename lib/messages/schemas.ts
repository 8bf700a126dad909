import 'server-only';
import { z } from 'zod';
import { idSchema } from '@/lib/ids';
import { isBlank, storableText } from '@/lib/validation/text';
import { MAX_MESSAGE_CHARS } from '@/lib/contracts/messages';


/**
 * 1 to 4000 characters once trimmed (counted in code points); the text itself is stored verbatim.
 * Only zero-width or other invisible characters count as empty: such a message shows nothing.
 */
export const messageContent = storableText('Content must be text.')
  // Stored verbatim, but surrounding whitespace cannot pad a message without bound.
  .max(MAX_MESSAGE_CHARS * 5, 'A message is too long.')
  .refine((value) => !isBlank(value), 'A message cannot be empty.')
  .refine((value) => [...value.trim()].length <= MAX_MESSAGE_CHARS, `A message can be at most ${MAX_MESSAGE_CHARS} characters.`);

export const sendMessageInput = z.object({
  content: messageContent,
  clientId: storableText().trim().min(1).max(100, 'clientId can be at most 100 characters.').optional(),
});

export const editMessageInput = z.object({ content: messageContent });

// Any case: a cursor is compared with cached ids as a string, so it is kept in the canonical spelling.
const cursor = idSchema('Not a valid message id.');

export const listMessagesQuery = z
  .object({
    limit: z.coerce.number({ error: 'limit must be a number.' }).int().min(1).max(200).default(50),
    before: cursor.optional(),
    after: cursor.optional(),
  })
  .refine((value) => !(value.before && value.after), { message: 'Use either before or after, not both.', path: ['after'] });

export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;
