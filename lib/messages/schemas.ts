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

/** The same rules, except that it may be empty: a message of attachments alone says nothing more. */
const optionalContent = storableText('Content must be text.')
  .max(MAX_MESSAGE_CHARS * 5, 'A message is too long.')
  .refine((value) => [...value.trim()].length <= MAX_MESSAGE_CHARS, `A message can be at most ${MAX_MESSAGE_CHARS} characters.`);

/** Ids of the sender's uploads to the channel (POST /api/channels/:id/attachments); ATTACHMENTS_PER_MESSAGE is checked when they are claimed. */
const attachmentIds = z.array(idSchema('Not a valid attachment id.'), { error: 'attachmentIds must be a list of attachment ids.' }).max(50, 'A message can carry at most 50 attachments.');

export const sendMessageInput = z
  .object({
    content: optionalContent.default(''),
    clientId: storableText().trim().min(1).max(100, 'clientId can be at most 100 characters.').optional(),
    attachmentIds: attachmentIds.optional(),
    /** A reply in the thread of this top-level message of the channel. */
    threadId: idSchema('Not a valid thread id.').optional(),
  })
  // Text, attachments or both: never neither.
  .refine((value) => !isBlank(value.content) || (value.attachmentIds?.length ?? 0) > 0, { message: 'A message cannot be empty.', path: ['content'] });

export const editMessageInput = z.object({ content: messageContent });

// Any case: a cursor is compared with cached ids as a string, so it is kept in the canonical spelling.
const cursor = idSchema('Not a valid message id.');

export const listMessagesQuery = z
  .object({
    limit: z.coerce.number({ error: 'limit must be a number.' }).int().min(1).max(200).default(50),
    before: cursor.optional(),
    after: cursor.optional(),
    /** A thread's replies instead of the channel's top-level messages. */
    threadId: idSchema('Not a valid thread id.').optional(),
  })
  .refine((value) => !(value.before && value.after), { message: 'Use either before or after, not both.', path: ['after'] });

export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;

/** GET /api/search (lib/messages/search reads what `q` may say). */
export const searchMessagesQuery = z.object({
  q: storableText('q is required: the text to search for.')
    .trim()
    .min(1, 'Type something to search for.')
    .max(500, 'A search can be at most 500 characters.'),
  channelId: idSchema('Not a valid channel id.').optional(),
  limit: z.coerce.number({ error: 'limit must be a number.' }).int('limit must be a whole number.').min(1, 'limit is at least 1.').max(50, 'limit is at most 50.').default(20),
});

/** GET /api/search/people: the switcher's names as they are typed. */
export const searchPeopleQuery = z.object({
  q: storableText('q must be text.').trim().min(1, 'Type a name.').max(100, 'A name can be at most 100 characters.'),
  limit: z.coerce.number({ error: 'limit must be a number.' }).int().min(1).max(20).default(8),
});

/** GET /api/channels/:channelId/messages?around=<messageId>: a page centred on one message. */
export const aroundMessagesQuery = z.object({
  around: cursor,
  limit: z.coerce.number({ error: 'limit must be a number.' }).int().min(1).max(200).default(50),
});

export type AroundMessagesQuery = z.infer<typeof aroundMessagesQuery>;

export const markThreadReadInput = z.object({ lastReadId: idSchema('Not a valid message id.') });
