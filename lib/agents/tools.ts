import 'server-only';
import { webSearchProvider } from '@/lib/abilities/catalog';
import { deepResearch, deepResearchTool, describeWebSearch, readPageTool, webSearchConfig, webSearchTool, type SearchProvider, type WebTool } from '@/lib/abilities/web';
import { PageReadError, ToolInputError, WebSearchError } from '@/lib/abilities/web';
import { McpToolError, mcpToolSet } from '@/lib/abilities/mcp';
import type { SourcePassage } from '@/lib/ai/provider';
import { mcpServerEntriesFor } from '@/lib/mcp-servers';
import { ToolError, type ToolDefinition, type ToolResult, type ToolSet } from '@/lib/ai/tools';
import type { ActivityJson } from '@/lib/contracts/abilities';
import type { CitationJson } from '@/lib/contracts/citations';
import type { Database } from '@/lib/db';
import type { Agent } from '@/lib/db/schema';
import { citedNumbers, findSources, knowledgeToolResult, type Source } from '@/lib/knowledge/citations';
import { env } from '@/lib/env';

/*
 * The tools one reply of an agent may call, from its abilities. Web tools number their sources
 * from 1 in every call; a reply cites one list, so `Numbering` renumbers each result into the
 * reply's list (after the knowledge passages it was given), one number per address.
 */

/** The reply's list of sources: numbers handed out in order, one per web address. */
export class Numbering {
  private next: number;
  private readonly byUrl = new Map<string, number>();
  readonly citations: CitationJson[] = [];

  /** `given`: the knowledge passages the reply was handed before any tool ran, numbered 1 to n. */
  constructor(given: Source[] = []) {
    this.next = given.length + 1;
    // Found again by a tool, a passage keeps the number it was given (its citation comes from citationsFor).
    for (const { n, hit } of given) this.byUrl.set(`chunk:${hit.chunkId}`, n);
  }

  /**
   * The result with its numbers in the reply's list: in the text the model reads and in its
   * citations. `passages` (by the result's own numbers) is the full text the offline model
   * quotes; the citation's excerpt otherwise.
   */
  renumber(result: { content: string; citations?: CitationJson[]; passages?: Record<number, string> }): ToolResult {
    const local = new Map<number, number>();
    const citations: CitationJson[] = [];
    const texts = new Map<number, string>();
    for (const citation of result.citations ?? []) {
      const key = citation.chunkId ? `chunk:${citation.chunkId}` : (citation.url ?? `#${this.next}`);
      let n = this.byUrl.get(key);
      if (n === undefined) {
        n = this.next++;
        this.byUrl.set(key, n);
        this.citations.push({ ...citation, n });
      }
      local.set(citation.n, n);
      texts.set(n, result.passages?.[citation.n] ?? citation.excerpt);
      citations.push({ ...citation, n });
    }
    // Only the tools' own tags carry n="…": fetched text has every spelling of them escaped.
    const content = result.content.replace(/<(result|source) n="(\d+)"/g, (whole, tag: string, n: string) => {
      const mapped = local.get(Number(n));
      return mapped === undefined ? whole : `<${tag} n="${mapped}"`;
    });
    const sources: SourcePassage[] = citations.map((citation) => ({
      n: citation.n,
      title: citation.documentName ?? citation.title ?? citation.url ?? 'web page',
      content: texts.get(citation.n) ?? citation.excerpt,
      ...(citation.page ? { page: citation.page } : {}),
      ...(citation.heading ? { heading: citation.heading } : {}),
    }));
    return { content, citations, sources, detail: citations.length > 0 ? `${citations.length} source${citations.length === 1 ? '' : 's'}` : undefined };
  }

  /** The sources the text cites, in number order. */
  cited(content: string): CitationJson[] {
    const cited = citedNumbers(content);
    return this.citations.filter((citation) => cited.has(citation.n));
  }
}

const clip = (text: string, max = 80) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
const stringArg = (args: Record<string, unknown>, name: string) => (typeof args[name] === 'string' ? (args[name] as string) : '');

/** Errors the web tools explain in words, as the loop's ToolError; anything else stays generic. */
async function explained<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WebSearchError || error instanceof PageReadError || error instanceof ToolInputError) throw new ToolError(error.message);
    throw error;
  }
}

/** A web tool as a tool of the loop: a title for its activity, its sources renumbered, its errors in words. */
function fromWebTool(tool: WebTool, numbering: Numbering, title: (args: Record<string, unknown>) => string): ToolDefinition {
  return { spec: tool.spec, title, run: (args, { signal }) => explained(async () => numbering.renumber(await tool.run(args, { signal }))) };
}

/** Deep research, its searches and pages shown as steps of their own inside the call's. */
function deepResearchDefinition(provider: SearchProvider, numbering: Numbering, options: { resultsPerSearch: number; maxBytes: number; pageTimeoutMs: number }): ToolDefinition {
  const { spec } = deepResearchTool(provider, options);
  return {
    spec,
    title: (args) => `Researching "${clip(stringArg(args, 'question'))}"`,
    run: (args, { signal, activity }) =>
      explained(async () => {
        const question = stringArg(args, 'question').trim();
        if (!question) throw new ToolInputError('The tool needs "question" (a string).');
        const result = await deepResearch({ ...options, provider, question, signal, onActivity: activity });
        return numbering.renumber(result);
      }),
  };
}

export type AgentTools = {
  tools: ToolSet;
  numbering: Numbering;
  /** Abilities the agent has that brought no tools here, and why: failed steps the reply shows. */
  unavailable: ActivityJson[];
  /** Messages of the abilities' own errors, fit for people and the model (the loop's describeError). */
  describeError: (error: unknown) => string | undefined;
  /** Closes what the tools opened (MCP connections); call once the reply has ended. */
  close(): Promise<void>;
};

/**
 * The tool set for one reply of `agent`: `search_knowledge` with the knowledge ability and bases;
 * `web_search`, `read_page` and `deep_research` with the web_search ability and a search provider
 * configured; the tools of its MCP servers (and the deployment's) with the mcp ability, connected
 * now and closed by `close()`. `given` are the knowledge passages the reply was handed up front,
 * numbered first.
 */
export async function agentTools(
  agent: Pick<Agent, 'abilities' | 'ownerId'>,
  { db, knowledgeBaseIds = [], mcpServerIds = [], given = [], signal }: { db?: Database; knowledgeBaseIds?: string[]; mcpServerIds?: string[]; given?: Source[]; signal?: AbortSignal } = {},
): Promise<AgentTools> {
  const numbering = new Numbering(given);
  const tools: ToolSet = {};
  const config = env();
  if (agent.abilities.includes('knowledge') && db && knowledgeBaseIds.length > 0) {
    // For models that call tools: search the knowledge again, in other words, beyond the passages given up front.
    tools.search_knowledge = {
      spec: {
        name: 'search_knowledge',
        description: "Search your knowledge bases (the documents you were trained on). Answers numbered passages to cite; search again with other words if they miss.",
        parameters: {
          type: 'object',
          properties: { query: { type: 'string', description: 'Keywords or a question.', maxLength: 400 } },
          required: ['query'],
          additionalProperties: false,
        },
      },
      title: (args) => `Searching knowledge for "${clip(stringArg(args, 'query'))}"`,
      async run(args) {
        const query = stringArg(args, 'query').replace(/\s+/g, ' ').trim().slice(0, 400);
        if (!query) throw new ToolError('The tool needs "query" (a string).');
        const found = await findSources({ db, knowledgeBaseIds, query, limit: config.KNOWLEDGE_CONTEXT_PASSAGES });
        return numbering.renumber(knowledgeToolResult(query, found));
      },
    };
  }
  const unavailable: ActivityJson[] = [];
  if (agent.abilities.includes('web_search')) {
    const provider = webSearchProvider();
    // Said, not hidden: the agent answers without searching, and the person sees why.
    if (!provider) unavailable.push({ id: 'web-search-unavailable', tool: 'web_search', status: 'error', title: 'Searching the web', detail: describeWebSearch(webSearchConfig(config)).reason });
    else {
      const maxResults = config.WEB_SEARCH_MAX_RESULTS;
      const page = { maxBytes: config.OUTBOUND_MAX_BYTES, timeoutMs: config.OUTBOUND_TIMEOUT_MS };
      tools.web_search = fromWebTool(webSearchTool(provider, { maxResults }), numbering, (args) => `Searching the web for "${clip(stringArg(args, 'query'))}"`);
      tools.read_page = fromWebTool(readPageTool(page), numbering, (args) => `Reading ${clip(stringArg(args, 'url'), 100)}`);
      tools.deep_research = deepResearchDefinition(provider, numbering, { resultsPerSearch: maxResults, maxBytes: page.maxBytes, pageTimeoutMs: page.timeoutMs });
    }
  }
  let close = async () => {};
  if (agent.abilities.includes('mcp') && db) {
    const servers = await mcpServerEntriesFor(db, { ownerId: agent.ownerId, mcpServerIds });
    if (servers.length > 0) {
      // The hub's own tool names win: a server cannot shadow web_search or search_knowledge.
      const set = await mcpToolSet(servers, { signal, timeoutMs: config.AGENT_TOOL_TIMEOUT_MS, maxBytes: config.OUTBOUND_MAX_BYTES, maxTools: 128 - Object.keys(tools).length });
      for (const [name, tool] of Object.entries(set.tools)) if (!tools[name]) tools[name] = tool;
      for (const server of set.servers.filter((entry) => entry.error)) {
        unavailable.push({ id: `mcp-unavailable-${server.id}`, tool: 'mcp', status: 'error', title: `Connecting to ${server.name}`, detail: server.error });
      }
      close = set.close;
    }
  }
  const describeError = (error: unknown) => (error instanceof McpToolError ? error.message : undefined);
  return { tools, numbering, unavailable, describeError, close };
}
