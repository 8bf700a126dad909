import 'server-only';
import { z } from 'zod';
import { isBlank, storableText } from '@/lib/validation/text';

const baseName = storableText()
  .trim()
  .max(80, 'Use at most 80 characters.')
  .refine((value) => !isBlank(value), 'Enter a name.');
const baseDescription = storableText().trim().max(1000, 'Use at most 1000 characters.');

export const createKnowledgeBaseInput = z.object({ name: baseName, description: baseDescription.optional() }).strict();

export const updateKnowledgeBaseInput = z
  .object({ name: baseName.optional(), description: baseDescription.optional() })
  .strict()
  .refine((value) => Object.values(value).some((field) => field !== undefined), 'Give at least one field to change.');

/** A document that is not a file: a public web page the server fetches, or pasted text. */
export const addDocumentInput = z.union(
  [
    z.object({ url: z.url({ protocol: /^https?$/, message: 'Use an http(s) URL.' }).max(2000, 'Use at most 2000 characters.') }).strict(),
    z
      .object({
        title: baseName,
        text: storableText().refine((value) => !isBlank(value), 'Enter some text.'),
      })
      .strict(),
  ],
  { error: 'Send multipart/form-data with `file` fields, or JSON {url} or {title, text}.' },
);

export const searchInput = z
  .object({
    query: storableText().trim().min(1, 'Enter something to search for.').max(1000, 'Use at most 1000 characters.'),
    limit: z.number({ error: 'limit must be a number.' }).int('Use a whole number.').min(1, 'Use 1 to 50.').max(50, 'Use 1 to 50.').optional(),
  })
  .strict();
