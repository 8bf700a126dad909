/**
 * Abilities: what an agent may do beyond talking (API.md, Abilities). Shared by the server and
 * the browser, so it holds no server code.
 */

export const abilityIds = ['knowledge', 'web_search', 'vision', 'video', 'mcp'] as const;
export type AbilityId = (typeof abilityIds)[number];

/** What this deployment can do: GET /api/abilities. */
export type AbilityJson = { id: AbilityId; name: string; description: string; available: boolean; reason?: string };

export const activityStatuses = ['running', 'done', 'error'] as const;
export type ActivityStatus = (typeof activityStatuses)[number];

/** One tool call of a reply, as `agent:activity` publishes it and the message keeps it. */
export type ActivityJson = {
  id: string;
  tool: string;
  status: ActivityStatus;
  /** What the agent is doing, in words: "Searching the web for …", "Reading 3 pages". */
  title: string;
  /** The outcome or the error, in words safe to show. */
  detail?: string;
  /** Video: the sampled frames, as attachment-relative thumbnails the chat shows as a strip. */
  frames?: { atMs: number; url: string }[];
};

/** A file attached to a channel message (API.md). `url` serves it to the channel's members only. */
export type AttachmentJson = {
  id: string;
  name: string;
  mimeType: string;
  bytes: number;
  width?: number;
  height?: number;
  durationMs?: number;
  url: string;
  /** Images and videos: a small preview (same access rule). */
  thumbnailUrl?: string;
};

/** An MCP server as its owner sees it: header names only, never their values. */
export type McpServerJson = {
  id: string;
  name: string;
  /** Streamable HTTP servers; absent for the deployment's own (stdio) servers. */
  url?: string;
  headerNames: string[];
  /** "user": added by its owner; "deployment": from MCP_SERVERS, offered to every agent with `mcp`. */
  source: 'user' | 'deployment';
  createdAt?: string;
};
