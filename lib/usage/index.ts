import 'server-only';
import { and, eq, gte, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '@/lib/db';
import { describeError } from '@/lib/db/errors';
import { rowsOf } from '@/lib/db/rows';
import { agents, apiKeys, usageEvents, type UsageEvent, type UsageOutcome, type UsageSource } from '@/lib/db/schema';
import { newId } from '@/lib/ids';
import { getPublisher } from '@/lib/realtime/publisher';
import type { UsageEventJson, UsageRange, UsageSummary, UsageTotals } from '@/lib/contracts/usage';
import { budgetOf, settlementOf, type Settlement } from './budget';

export type UsageRecord = {
  ownerId: string;
  agentId?: string | null;
  channelId?: string | null;
  apiKeyId?: string | null;
  source: UsageSource;
  model: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  firstTokenMs?: number | null;
  outcome: UsageOutcome;
};


const toEventJson = (row: UsageEvent): UsageEventJson => ({ ...row, createdAt: row.createdAt.toISOString() });

/**
 * Records one model call under whoever pays for it (`ownerId`, see payer.ts) and pushes it to
 * their realtime room alone, so their dashboard moves live and nobody else's event names their
 * key. With `settle`, the same statement adds what the call used beyond its reservation to the
 * payer's day (see budget.ts), so a call's bookkeeping is one round trip. Usage is bookkeeping: a
 * failure to record is logged, never thrown at the reply it describes.
 */
export async function recordUsage(record: UsageRecord, settle?: Settlement): Promise<void> {
  try {
    const db = await getDb();
    const values = {
      id: newId(),
      ...record,
      latencyMs: Math.max(0, Math.round(record.latencyMs)),
      firstTokenMs: record.firstTokenMs == null ? null : Math.max(0, Math.round(record.firstTokenMs)),
    };
    const settled = settle && settlementOf(db, { userId: record.ownerId, ...settle });
    const [row] = await (settled ? db.with(settled).insert(usageEvents) : db.insert(usageEvents)).values(values).returning();
    getPublisher().toUser(record.ownerId, 'usage:recorded', { event: toEventJson(row!) });
  } catch (error) {
    console.error('[usage] could not record a model call', describeError(error));
  }
}

export const usageRanges: Record<UsageRange, { spanMs: number; bucketMs: number }> = { '24h': { spanMs: 24 * 3600_000, bucketMs: 3600_000 }, '7d': { spanMs: 7 * 86_400_000, bucketMs: 6 * 3600_000 }, '30d': { spanMs: 30 * 86_400_000, bucketMs: 86_400_000 } };

export const usageQuery = z.object({
  range: z.enum(Object.keys(usageRanges) as [UsageRange, ...UsageRange[]], { error: 'Use range=24h, 7d or 30d.' }).default('24h'),
});


const totalsColumns = {
  requests: sql<number>`count(*)::int`,
  promptTokens: sql<number>`coalesce(sum(${usageEvents.promptTokens}), 0)::int`,
  completionTokens: sql<number>`coalesce(sum(${usageEvents.completionTokens}), 0)::int`,
  errors: sql<number>`count(*) filter (where ${usageEvents.outcome} <> 'complete')::int`,
  avgLatencyMs: sql<number>`coalesce(round(avg(${usageEvents.latencyMs})), 0)::int`,
};

/**
 * The model calls a person paid for over the last 24 hours, 7 days or 30 days: totals, a time
 * series, per agent and per key (only their own keys: a key is named to nobody but its owner),
 * and today's budget.
 */
export async function usageSummary({ userId, range, now = Date.now() }: { userId: string; range: UsageRange; now?: number }): Promise<UsageSummary> {
  const db = await getDb();
  const { spanMs, bucketMs } = usageRanges[range];
  const first = Math.floor((now - spanMs) / bucketMs) * bucketMs + bucketMs;
  const since = new Date(first);
  const mine = and(eq(usageEvents.ownerId, userId), gte(usageEvents.createdAt, since));

  const [totals] = await db.select(totalsColumns).from(usageEvents).where(mine);
  const buckets = rowsOf<UsageTotals & { bucket: number | string }>(
    await db.execute(sql`
      select floor(extract(epoch from ${usageEvents.createdAt}) * 1000 / ${bucketMs}::bigint)::bigint as bucket,
        count(*)::int as "requests",
        coalesce(sum(${usageEvents.promptTokens}), 0)::int as "promptTokens",
        coalesce(sum(${usageEvents.completionTokens}), 0)::int as "completionTokens",
        count(*) filter (where ${usageEvents.outcome} <> 'complete')::int as "errors",
        coalesce(round(avg(${usageEvents.latencyMs})), 0)::int as "avgLatencyMs"
      from ${usageEvents}
      where ${usageEvents.ownerId} = ${userId} and ${usageEvents.createdAt} >= ${since.toISOString()}::timestamptz
      group by 1`),
  );
  const byBucket = new Map(buckets.map((b) => [Number(b.bucket) * bucketMs, b]));
  const series: UsageSummary['series'] = [];
  for (let start = first; start <= now; start += bucketMs) {
    const b = byBucket.get(start);
    series.push({ start: new Date(start).toISOString(), requests: b?.requests ?? 0, promptTokens: b?.promptTokens ?? 0, completionTokens: b?.completionTokens ?? 0, errors: b?.errors ?? 0, avgLatencyMs: b?.avgLatencyMs ?? 0 });
  }

  const agentRows = await db
    .select({ agentId: usageEvents.agentId, name: agents.name, ...totalsColumns })
    .from(usageEvents)
    .leftJoin(agents, eq(agents.id, usageEvents.agentId))
    .where(mine)
    .groupBy(usageEvents.agentId, agents.name)
    .orderBy(sql`count(*) desc`);
  const keyRows = await db
    .select({ keyId: usageEvents.apiKeyId, name: apiKeys.name, partial: apiKeys.partial, ...totalsColumns })
    .from(usageEvents)
    .innerJoin(apiKeys, and(eq(apiKeys.id, usageEvents.apiKeyId), eq(apiKeys.ownerId, userId)))
    .where(and(mine, isNotNull(usageEvents.apiKeyId)))
    .groupBy(usageEvents.apiKeyId, apiKeys.name, apiKeys.partial)
    .orderBy(sql`count(*) desc`);

  return {
    range,
    bucketMs,
    totals: totals!,
    series,
    // Calls with no agent are the orchestrator's routing and the built-in synthesizer.
    byAgent: agentRows.map((row) => ({ ...row, name: row.agentId ? (row.name ?? 'Deleted agent') : 'Routing and synthesis' })),
    byKey: keyRows.map((row) => ({ ...row, keyId: row.keyId! })),
    budget: await budgetOf({ userId, now }),
  };
}
