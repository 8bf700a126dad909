import 'server-only';
import { z } from 'zod';
import { isBlank, storableText } from '@/lib/validation/text';

/** POST /api/mcp-servers. The URL and the headers get their real checks in the service (address, header rules). */
export const createMcpServerInput = z
  .object({
    name: storableText('Enter a name.')
      .trim()
      .max(80, 'Use at most 80 characters.')
      .refine((value) => !isBlank(value), 'Enter a name.'),
    url: storableText('Enter the server\'s URL.').trim().min(1, "Enter the server's URL.").max(2000, 'Use at most 2000 characters.'),
    headers: z.record(z.string(), z.unknown(), { error: 'Headers must be an object of names and values.' }).nullish(),
  })
  .strict();

export type CreateMcpServerInput = z.infer<typeof createMcpServerInput>;
