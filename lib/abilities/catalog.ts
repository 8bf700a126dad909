import 'server-only';
import type { AbilityId, AbilityJson } from '@/lib/contracts/abilities';
import { env } from '@/lib/env';
import { ffmpegPath } from './media/ffmpeg';
import { createSearchProvider, describeWebSearch, webSearchConfig, type SearchProvider } from './web';

/*
 * What this deployment can do, ability by ability (GET /api/abilities, the agent form): each is
 * available or says, in words, what it needs.
 */

const NAMES: Record<AbilityId, { name: string; description: string }> = {
  knowledge: { name: 'Knowledge', description: 'Searches its knowledge bases and cites the passages it uses.' },
  web_search: { name: 'Web search', description: 'Searches the web, reads pages, and cites them; deep research runs several searches and reads the best pages.' },
  vision: { name: 'Vision', description: 'Looks at images attached to messages. The offline model reports what it can measure (size, format, colours); a vision model sees them.' },
  video: { name: 'Video', description: 'Looks at frames sampled evenly across attached videos, with their timestamps.' },
  mcp: { name: 'MCP tools', description: "Uses the tools of the MCP servers given to it, and the deployment's own." },
};

/** The configured web search provider, or undefined (describeWebSearch says why). */
export function webSearchProvider(): SearchProvider | undefined {
  const config = env();
  return createSearchProvider({ ...webSearchConfig(config), timeoutMs: config.OUTBOUND_TIMEOUT_MS });
}

export async function listAbilities(): Promise<AbilityJson[]> {
  const config = env();
  const web = describeWebSearch(webSearchConfig(config));
  const video = await ffmpegPath().then(
    () => ({ available: true }),
    (error: unknown) => ({ available: false, reason: error instanceof Error ? error.message : 'Video tools are not available on this server.' }),
  );
  const state: Record<AbilityId, { available: boolean; reason?: string }> = {
    knowledge: { available: true },
    web_search: web.available ? { available: true } : { available: false, reason: web.reason },
    vision: { available: true },
    video,
    mcp: { available: true },
  };
  return (Object.keys(NAMES) as AbilityId[]).map((id) => ({ id, ...NAMES[id], ...state[id] }));
}
