import 'server-only';
import { and, eq, lt, sql, type SQL } from 'drizzle-orm';
import { ModelError } from '@/lib/ai/provider';
import { getDb, type Database } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';
import { usageDaily } from '@/lib/db/schema';
import { env } from '@/lib/env';
import type { Budget } from '@/lib/contracts/usage';

/**
 * The per-person daily model budget: AGENT_DAILY_CALLS calls and AGENT_DAILY_TOKENS tokens per
 * UTC day (0 = unlimited), counted against whoever pays for a call (see payer.ts), enforced before
 * every model call (lib/ai/metered.ts), in a ledger row per person and day (usage_daily).
 */

const DAY_MS = 86_400_000;
export const utcDay = (now: number) => new Date(now).toISOString().slice(0, 10);
export const nextUtcMidnight = (now: number) => new Date(Math.floor(now / DAY_MS) * DAY_MS + DAY_MS);

/** A model call refused because its payer's budget for today is used up. */
export class BudgetExceededError extends ModelError {
  constructor(
    message: string,
    readonly resetsAt: Date,
  ) {
    super('budget_exceeded', message);
    this.name = 'BudgetExceededError';
  }

  /** Whole seconds until the budget resets, as Retry-After says them. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.resetsAt.getTime() - Date.now()) / 1000));
  }
}

const inWords = (ms: number) => {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};

/** Whose budget a refusal names: the caller's own (the API) or the person who asked (a channel). */
export type BudgetSubject = 'you' | 'asker';

function refusal(row: { calls: number; tokens: number } | undefined, promptTokens: number, subject: BudgetSubject, now: number): BudgetExceededError {
  const { AGENT_DAILY_CALLS: calls, AGENT_DAILY_TOKENS: tokens } = env();
  const resetsAt = nextUtcMidnight(now);
  const resets = `It resets at 00:00 UTC, in ${inWords(resetsAt.getTime() - now)}.`;
  const callsUsedUp = calls > 0 && (row?.calls ?? 0) >= calls;
  const tokensLeft = tokens - Number(row?.tokens ?? 0);
  const count = (n: number) => n.toLocaleString('en-US');
  if (!callsUsedUp && tokensLeft > 0) {
    // Tokens are left, only fewer than this call's prompt needs.
    const left = subject === 'you' ? `${count(tokensLeft)} of your ${count(tokens)} tokens for today are left` : `the person whose message this answers has ${count(tokensLeft)} of their ${count(tokens)} tokens for today left`;
    return new BudgetExceededError(`Daily model budget too small for this call: its prompt is about ${count(promptTokens)} tokens, and ${left}. ${resets}`, resetsAt);
  }
  const what = callsUsedUp ? `${count(calls)} model calls` : `${count(tokens)} tokens`;
  const whose = subject === 'you' ? 'You have used your' : 'The person whose message this answers has used their';
  return new BudgetExceededError(`Daily model budget used up: ${whose} ${what} for today. ${resets}`, resetsAt);
}

/**
 * Takes one call from the payer's budget for today, with the prompt's estimated tokens, or throws
 * BudgetExceededError. One conditional upsert: a call is counted only while the calls are under
 * their limit and the tokens counted so far plus this prompt stay within theirs (the first call of
 * the day included: the insert itself is conditional), so calls racing in any number of processes
 * never start more than the limit, and a prompt never starts beyond what is left.
 * Answers the day it was counted in, for the call's settlement (`settlementOf`).
 */
export async function reserveCall({ userId, promptTokens, subject, now = Date.now() }: { userId: string; promptTokens: number; subject: BudgetSubject; now?: number }): Promise<string> {
  const { AGENT_DAILY_CALLS: calls, AGENT_DAILY_TOKENS: tokens } = env();
  const db = await getDb();
  const day = utcDay(now);
  const fits = (used: SQL) => sql`(${tokens}::bigint = 0 or ${used} + ${promptTokens}::bigint <= ${tokens}::bigint)`;
  const taken = rowsOf<{ calls: number }>(
    await db.execute(sql`
      insert into ${usageDaily} (owner_id, day, calls, tokens)
      select ${userId}::uuid, ${day}::date, 1, ${promptTokens}::bigint where ${fits(sql`0`)}
      on conflict (owner_id, day) do update set calls = ${usageDaily.calls} + 1, tokens = ${usageDaily.tokens} + excluded.tokens
      where (${calls}::int = 0 or ${usageDaily.calls} < ${calls}::int) and ${fits(sql`${usageDaily.tokens}`)}
      returning calls`),
  );
  if (taken.length) return day;
  const [row] = await db.select().from(usageDaily).where(and(eq(usageDaily.ownerId, userId), eq(usageDaily.day, day)));
  throw refusal(row, promptTokens, subject, now);
}

/** What a call used beyond its reservation (its real tokens less the prompt estimate), on the day it was reserved in. */
export type Settlement = { day: string; extraTokens: number };

/**
 * The settlement of a call as a statement to run with its usage row (recordUsage): it adds the
 * extra tokens to the payer's day. None when there is nothing to add.
 */
export function settlementOf(db: Database, { userId, day, extraTokens }: Settlement & { userId: string }) {
  if (extraTokens === 0) return undefined;
  return db.$with('settled', {}).as(sql`
    update ${usageDaily} set tokens = greatest(0, ${usageDaily.tokens} + ${extraTokens}::bigint)
    where ${usageDaily.ownerId} = ${userId}::uuid and ${usageDaily.day} = ${day}::date`);
}

export async function budgetOf({ userId, now = Date.now() }: { userId: string; now?: number }): Promise<Budget> {
  const { AGENT_DAILY_CALLS: calls, AGENT_DAILY_TOKENS: tokens } = env();
  const db = await getDb();
  const [row] = await db.select().from(usageDaily).where(and(eq(usageDaily.ownerId, userId), eq(usageDaily.day, utcDay(now))));
  return {
    calls: { used: row?.calls ?? 0, limit: calls || null },
    tokens: { used: Number(row?.tokens ?? 0), limit: tokens || null },
    resetsAt: nextUtcMidnight(now).toISOString(),
  };
}

/** How many UTC days of budget rows the maintenance run keeps (the usage page reads today's only). */
export const USAGE_DAYS_KEPT = 40;

/** Deletes budget rows of days more than `olderThanDays` before today (UTC); answers how many. */
export async function purgeUsageDays({ olderThanDays = USAGE_DAYS_KEPT, now = Date.now() }: { olderThanDays?: number; now?: number } = {}): Promise<number> {
  const db = await getDb();
  const deleted = await db
    .delete(usageDaily)
    .where(lt(usageDaily.day, utcDay(now - olderThanDays * DAY_MS)))
    .returning({ ownerId: usageDaily.ownerId });
  return deleted.length;
}
