/** Where canvas nodes sit when nobody has moved them, and where a new one fits. Pure, so every member lays out alike. */

export type Point = { x: number; y: number };
export type Rect = Point & { width: number; height: number };

/** The size a card is taken to have before the browser has measured it. */
export const CARD = { width: 264, height: 190 };
/** Distance between neighbouring cards of a row, and between rows. */
export const STEP = { x: 320, y: 280 };

export type LayoutInput = {
  leadAgentId: string | null;
  /** In the channel's member order. */
  agentIds: string[];
  userIds: string[];
  knowledgeIds: string[];
  runIds: string[];
};

/** A row of cards centred on x = 0. */
const row = (ids: string[], y: number) => ids.map((id, i) => [id, { x: (i - (ids.length - 1) / 2) * STEP.x - CARD.width / 2, y }] as const);

/**
 * The lead on top, the other agents in a row below it, then the people, then the knowledge bases;
 * goal runs in a column on the left, the chat on the right. Node ids as the canvas names them.
 */
export function defaultLayout({ leadAgentId, agentIds, userIds, knowledgeIds, runIds }: LayoutInput): Map<string, Point> {
  const lead = leadAgentId && agentIds.includes(leadAgentId) ? [`agent:${leadAgentId}`] : [];
  const rows = [lead, agentIds.filter((id) => id !== leadAgentId).map((id) => `agent:${id}`), userIds.map((id) => `user:${id}`), knowledgeIds.map((id) => `kb:${id}`)].filter((ids) => ids.length);
  const at = new Map<string, Point>();
  rows.forEach((ids, i) => row(ids, i * STEP.y).forEach(([id, point]) => at.set(id, point)));
  const widest = Math.max(1, ...rows.map((ids) => ids.length));
  const edge = ((widest - 1) / 2) * STEP.x + CARD.width / 2;
  runIds.forEach((id, i) => at.set(`run:${id}`, { x: -edge - 80 - 340, y: i * 2 * STEP.y }));
  at.set('chat', { x: edge + 80, y: 0 });
  return at;
}

const overlaps = (a: Rect, b: Rect, margin = 24) =>
  a.x < b.x + b.width + margin && b.x < a.x + a.width + margin && a.y < b.y + b.height + margin && b.y < a.y + a.height + margin;

/**
 * The nearest place to `near` (its top-left corner on a grid of card steps around it, ring by
 * ring) where a card overlaps none of `taken`: where a palette item added by keyboard lands.
 */
export function freeSpot(taken: Rect[], near: Point, size = CARD): Point {
  for (let ring = 0; ring < 30; ring++) {
    for (let dy = -ring; dy <= ring; dy++) {
      for (let dx = -ring; dx <= ring; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        const spot = { x: Math.round(near.x + dx * STEP.x), y: Math.round(near.y + dy * (size.height + 60)) };
        if (!taken.some((rect) => overlaps(rect, { ...spot, ...size }))) return spot;
      }
    }
  }
  return near;
}
