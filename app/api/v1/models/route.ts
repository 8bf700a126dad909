import { json, keyRoute } from '@/lib/http/route';
import { apiListModels } from '@/lib/public-api';

/** OpenAI-compatible: `agent:<id>` per agent and `channel:<id>` per channel, for any valid key. */
export const GET = keyRoute(null, async ({ caller }) => json({ object: 'list', data: await apiListModels(caller) }));
