import 'server-only';
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { requireMember } from '@/lib/channels/access';
import type { AbilityId } from '@/lib/contracts/abilities';
import type { CanvasJson, CanvasNodeJson } from '@/lib/contracts/runs';
import { getDb, type Database } from '@/lib/db';
import { agentKnowledgeBases, agents, canvasNodes, channelMembers, documents, knowledgeBases, runs, type CanvasNodeRow } from '@/lib/db/schema';
import { conflict, invalidRequest, notFound } from '@/lib/http/errors';
import { canonicalId } from '@/lib/ids';
import { getPublisher } from '@/lib/realtime/publisher';
import { storableText } from '@/lib/validation/text';

/*
 * A channel's team canvas: where each node sits, and its sticky notes. Agents, people, the chat
 * and the channel's newest run are on every canvas whether or not they were moved (the browser lays
 * out the unmoved ones); knowledge bases, older runs and notes are there because someone put them.
 */

/** Sticky notes come in these colours (the browser maps each to its light and dark shades). */
export const NOTE_COLORS = ['yellow', 'pink', 'blue', 'green', 'purple', 'gray'] as const;
export type NoteColor = (typeof NOTE_COLORS)[number];
export const MAX_NOTE_CHARS = 2000;
/** Nodes in one save: a whole canvas laid out at once fits, a flood does not. */
export const MAX_NODES_PER_SAVE = 200;
/** Nodes one canvas keeps (every cost has a ceiling: notes are the only kind a person can make without end). */
export const MAX_CANVAS_NODES = 1000;
/** How far from the origin a node may sit, either way, on either axis. */
export const CANVAS_EXTENT = 100_000;

export type CanvasNodeKind = 'agent' | 'user' | 'kb' | 'run' | 'note' | 'chat';
const refKinds = ['agent', 'user', 'kb', 'run', 'note'] as const;

/** `agent:<id>` and the like, or `chat`, with the id in its canonical spelling; undefined for anything else. */
export function canonicalNodeId(value: string): string | undefined {
  if (value === 'chat') return value;
  const at = value.indexOf(':');
  const kind = value.slice(0, at) as (typeof refKinds)[number];
  const id = canonicalId(value.slice(at + 1));
  return at > 0 && refKinds.includes(kind) && id ? `${kind}:${id}` : undefined;
}

export function nodeKind(nodeId: string): { kind: CanvasNodeKind; ref?: string } {
  if (nodeId === 'chat') return { kind: 'chat' };
  const [kind, ref] = nodeId.split(':') as [CanvasNodeKind, string];
  return { kind, ref };
}

const coordinate = z
  .number({ error: 'Give a finite number.' })
  .min(-CANVAS_EXTENT, `Stay within ±${CANVAS_EXTENT}.`)
  .max(CANVAS_EXTENT, `Stay within ±${CANVAS_EXTENT}.`);

const nodeInput = z.strictObject({
  id: z
    .string({ error: 'Give the node id.' })
    .max(80)
    .transform((value, ctx) => canonicalNodeId(value) ?? (ctx.addIssue({ code: 'custom', message: 'Use agent:<id>, user:<id>, kb:<id>, run:<id>, note:<id> or chat.' }), z.NEVER)),
  x: coordinate,
  y: coordinate,
  data: z
    .strictObject({
      text: storableText('A note is text.').max(MAX_NOTE_CHARS, `A note is at most ${MAX_NOTE_CHARS} characters.`).optional(),
      color: z.enum(NOTE_COLORS, { error: `Use one of ${NOTE_COLORS.join(', ')}.` }).optional(),
    })
    .optional(),
});

export const saveCanvasNodesInput = z
  .strictObject({
    nodes: z
      .array(nodeInput, { error: 'Give the nodes as a list.' })
      .min(1, 'Give at least one node.')
      .max(MAX_NODES_PER_SAVE, `Save at most ${MAX_NODES_PER_SAVE} nodes at once.`),
  })
  .superRefine(({ nodes }, ctx) => {
    const seen = new Set<string>();
    nodes.forEach((node, i) => {
      if (seen.has(node.id)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: 'Each node once per save.' });
      seen.add(node.id);
      if (node.data && nodeKind(node.id).kind !== 'note') ctx.addIssue({ code: 'custom', path: ['nodes', i, 'data'], message: 'Only notes carry text and a colour.' });
    });
  });
export type SaveCanvasNodesInput = z.infer<typeof saveCanvasNodesInput>;

/** What an agent card shows beside the member list: its abilities, and the bases on this canvas it answers from. */
export type CanvasAgentJson = { id: string; abilities: AbilityId[]; knowledgeBaseIds: string[]; knowledgeBaseCount: number };
/** A knowledge base on the canvas, as every member sees it (it may be another member's). */
export type CanvasKnowledgeJson = { id: string; name: string; description: string; documentCount: number; ownerId: string };
/** GET .../canvas: the saved nodes, and what the cards need that members cannot read elsewhere. */
export type CanvasViewJson = CanvasJson & { agents: CanvasAgentJson[]; knowledgeBases: CanvasKnowledgeJson[] };

function toNodeJson(row: CanvasNodeRow): CanvasNodeJson {
  const data = row.data as CanvasNodeJson['data'] | null;
  return { id: row.nodeId, x: row.x, y: row.y, ...(data && Object.keys(data).length ? { data } : {}) };
}

const refsOf = (ids: string[], kind: CanvasNodeKind) => ids.filter((id) => nodeKind(id).kind === kind).map((id) => nodeKind(id).ref!);

/** The canvas as members see it: saved nodes whose agent, person, base or run is still there. */
async function readCanvas(db: Database, channelId: string): Promise<CanvasViewJson> {
  const [rows, members] = await Promise.all([
    db.select().from(canvasNodes).where(eq(canvasNodes.channelId, channelId)).orderBy(asc(canvasNodes.nodeId)),
    db.select({ agentId: channelMembers.agentId, userId: channelMembers.userId }).from(channelMembers).where(eq(channelMembers.channelId, channelId)),
  ]);
  const ids = rows.map((row) => row.nodeId);
  const agentIds = members.flatMap((m) => (m.agentId ? [m.agentId] : []));
  const userIds = new Set(members.flatMap((m) => (m.userId ? [m.userId] : [])));
  const baseIds = refsOf(ids, 'kb');
  const runIds = refsOf(ids, 'run');
  const [bases, agentRows, links, runRows] = await Promise.all([
    baseIds.length
      ? db
          .select({ id: knowledgeBases.id, name: knowledgeBases.name, description: knowledgeBases.description, ownerId: knowledgeBases.ownerId, documentCount: count(documents.id) })
          .from(knowledgeBases)
          .leftJoin(documents, eq(documents.knowledgeBaseId, knowledgeBases.id))
          .where(inArray(knowledgeBases.id, baseIds))
          .groupBy(knowledgeBases.id)
      : [],
    agentIds.length ? db.select({ id: agents.id, abilities: agents.abilities }).from(agents).where(inArray(agents.id, agentIds)) : [],
    agentIds.length ? db.select().from(agentKnowledgeBases).where(inArray(agentKnowledgeBases.agentId, agentIds)) : [],
    runIds.length ? db.select({ id: runs.id }).from(runs).where(and(eq(runs.channelId, channelId), inArray(runs.id, runIds))) : [],
  ]);
  const present = new Set<string>([
    ...agentIds.map((id) => `agent:${id}`),
    ...[...userIds].map((id) => `user:${id}`),
    ...bases.map((base) => `kb:${base.id}`),
    ...runRows.map((run) => `run:${run.id}`),
  ]);
  const nodes = rows.filter((row) => ['note', 'chat'].includes(nodeKind(row.nodeId).kind) || present.has(row.nodeId)).map(toNodeJson);
  // Links to bases off the canvas are counted, not named: those bases are their owner's business.
  const onCanvas = new Set(bases.map((base) => base.id));
  return {
    channelId,
    nodes,
    agents: agentRows.map((agent) => {
      const own = links.filter((link) => link.agentId === agent.id);
      return {
        id: agent.id,
        abilities: agent.abilities,
        knowledgeBaseIds: own.map((link) => link.knowledgeBaseId).filter((id) => onCanvas.has(id)).sort(),
        knowledgeBaseCount: own.length,
      };
    }),
    knowledgeBases: bases.map((base) => ({ ...base, documentCount: Number(base.documentCount) })),
  };
}

export async function getCanvas({ userId, channelId }: { userId: string; channelId: string }): Promise<CanvasViewJson> {
  const db = await getDb();
  await requireMember(db, { userId, channelId });
  return readCanvas(db, channelId);
}

/**
 * Every node must name something of this channel: an agent or person who is a member, a run of
 * the channel, a knowledge base of the caller's own (or one a member already put here). Refused
 * nodes are named by their place in the body, with the same words whether or not the thing exists.
 */
async function checkReferences(db: Database, { userId, channelId, nodes }: { userId: string; channelId: string; nodes: SaveCanvasNodesInput['nodes'] }) {
  const ids = nodes.map((node) => node.id);
  const [existing, total] = await Promise.all([
    db.select({ nodeId: canvasNodes.nodeId }).from(canvasNodes).where(and(eq(canvasNodes.channelId, channelId), inArray(canvasNodes.nodeId, ids))),
    db.select({ n: count() }).from(canvasNodes).where(eq(canvasNodes.channelId, channelId)),
  ]);
  const saved = new Set(existing.map((row) => row.nodeId));
  const newBases = refsOf(ids, 'kb').filter((id) => !saved.has(`kb:${id}`));
  const [agentRows, userRows, baseRows, runRows] = await Promise.all([
    refsOf(ids, 'agent').length
      ? db.select({ id: channelMembers.agentId }).from(channelMembers).where(and(eq(channelMembers.channelId, channelId), inArray(channelMembers.agentId, refsOf(ids, 'agent'))))
      : [],
    refsOf(ids, 'user').length
      ? db.select({ id: channelMembers.userId }).from(channelMembers).where(and(eq(channelMembers.channelId, channelId), inArray(channelMembers.userId, refsOf(ids, 'user'))))
      : [],
    newBases.length ? db.select({ id: knowledgeBases.id }).from(knowledgeBases).where(and(eq(knowledgeBases.ownerId, userId), inArray(knowledgeBases.id, newBases))) : [],
    refsOf(ids, 'run').length ? db.select({ id: runs.id }).from(runs).where(and(eq(runs.channelId, channelId), inArray(runs.id, refsOf(ids, 'run')))) : [],
  ]);
  const found = new Set<string>([
    ...agentRows.map((row) => `agent:${row.id}`),
    ...userRows.map((row) => `user:${row.id}`),
    ...baseRows.map((row) => `kb:${row.id}`),
    ...runRows.map((row) => `run:${row.id}`),
  ]);
  const why: Record<string, string> = {
    agent: 'That agent is not a member of this channel.',
    user: 'That person is not a member of this channel.',
    kb: 'Put one of your own knowledge bases here (or one already on this canvas).',
    run: 'That goal run is not one of this channel\'s.',
  };
  const details: Record<string, string[]> = {};
  nodes.forEach((node, i) => {
    const { kind } = nodeKind(node.id);
    if (kind === 'note' || kind === 'chat' || found.has(node.id) || (kind === 'kb' && saved.has(node.id))) return;
    details[`nodes.${i}.id`] = [why[kind]!];
  });
  if (Object.keys(details).length) throw invalidRequest('Some nodes name nothing this channel has.', details);
  const added = ids.filter((id) => !saved.has(id)).length;
  if (total[0]!.n + added > MAX_CANVAS_NODES) throw conflict(`A canvas holds at most ${MAX_CANVAS_NODES} nodes; remove some notes first.`);
}

/**
 * Puts nodes where they were dropped or dragged (a note's text and colour too, merged into what it
 * had), then tells the channel. Called every ~100 ms while someone drags, so it does one write.
 */
export async function saveCanvasNodes({ userId, channelId, input }: { userId: string; channelId: string; input: SaveCanvasNodesInput }): Promise<CanvasViewJson> {
  const db = await getDb();
  await requireMember(db, { userId, channelId });
  await checkReferences(db, { userId, channelId, nodes: input.nodes });
  const now = new Date();
  const rows = await db
    .insert(canvasNodes)
    .values(input.nodes.map((node) => ({ channelId, nodeId: node.id, x: node.x, y: node.y, data: node.data ?? null, updatedAt: now })))
    .onConflictDoUpdate({
      target: [canvasNodes.channelId, canvasNodes.nodeId],
      set: {
        x: sql`excluded.x`,
        y: sql`excluded.y`,
        data: sql`case when excluded.data is null then ${canvasNodes.data} else coalesce(${canvasNodes.data}, '{}'::jsonb) || excluded.data end`,
        updatedAt: sql`excluded.updated_at`,
      },
    })
    .returning();
  getPublisher().toChannel(channelId, 'canvas:updated', { channelId, nodes: rows.map(toNodeJson), by: userId });
  return readCanvas(db, channelId);
}

/** Takes a node off the canvas: a note is gone; a member or the chat goes back to its default place. */
export async function removeCanvasNode({ userId, channelId, nodeId }: { userId: string; channelId: string; nodeId: string }): Promise<void> {
  const db = await getDb();
  await requireMember(db, { userId, channelId });
  const id = canonicalNodeId(nodeId);
  if (!id) throw notFound('Canvas node');
  const gone = await db
    .delete(canvasNodes)
    .where(and(eq(canvasNodes.channelId, channelId), eq(canvasNodes.nodeId, id)))
    .returning({ nodeId: canvasNodes.nodeId });
  if (!gone.length) throw notFound('Canvas node');
  getPublisher().toChannel(channelId, 'canvas:removed', { channelId, nodeId: id, by: userId });
}
