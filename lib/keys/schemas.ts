import 'server-only';
import { z } from 'zod';
import { apiKeyScopes } from '@/lib/db/schema';
import { storableText } from '@/lib/validation/text';

export const createKeyInput = z
  .object({
    name: storableText().trim().min(1, 'Name the key (where it is used).').max(80, 'Use at most 80 characters.'),
    scopes: z.array(z.enum(apiKeyScopes, { error: `Use ${apiKeyScopes.join(', ')}.` })).min(1, 'Give the key at least one scope.').optional(),
    expiresAt: z.iso
      .datetime({ offset: true, message: 'Use an ISO-8601 time, e.g. 2027-01-01T00:00:00Z.' })
      .refine((value) => new Date(value).getTime() > Date.now(), 'The expiry must be in the future.')
      .nullable()
      .optional(),
  })
  .strict();
