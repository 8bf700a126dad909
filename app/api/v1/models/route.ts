import { keyRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { apiListModels } from '@/lib/public-api';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** OpenAI-compatible: `agent:<id>` per agent and `channel:<id>` per channel, for any valid key. */
  GET: keyRoute(null, async ({ caller }) => json({ object: 'list', data: await apiListModels(caller) })),
});
