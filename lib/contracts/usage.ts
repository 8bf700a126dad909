import type { UsageEvent } from '@/lib/db/schema';

/** Model-call records and the usage page's summary, as the API and the realtime events carry them. */
export type UsageRange = '24h' | '7d' | '30d';

/** One recorded model call, pushed live to whoever pays for it. */
export type UsageEventJson = Omit<UsageEvent, 'createdAt'> & { createdAt: string };

/** Today's model budget of one person (UTC day); a null limit is unlimited. */
export type Budget = {
  calls: { used: number; limit: number | null };
  tokens: { used: number; limit: number | null };
  /** When today's budget ends (the next 00:00 UTC). */
  resetsAt: string;
};

export type UsageTotals = { requests: number; promptTokens: number; completionTokens: number; errors: number; avgLatencyMs: number };
export type UsageSummary = {
  range: UsageRange;
  bucketMs: number;
  totals: UsageTotals;
  /** One point per bucket, oldest first, empty buckets included. */
  series: (UsageTotals & { start: string })[];
  byAgent: (UsageTotals & { agentId: string | null; name: string })[];
  byKey: (UsageTotals & { keyId: string; name: string; partial: string })[];
  /** Today's model budget (UTC day): calls and tokens used against their limits (null: unlimited). */
  budget: Budget;
};
