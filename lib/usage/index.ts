import { getDb } from '@/lib/db';
import { describeError } from '@/lib/db/errors';
import { usageEvents, type UsageOutcome, type UsageSource } from '@/lib/db/schema';
import { newId } from '@/lib/ids';

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

/**
 * Records one model call. Usage is bookkeeping: a failure to record is logged, and never fails
 * or delays the reply it describes beyond the insert itself.
 */
export async function recordUsage(record: UsageRecord): Promise<void> {
  try {
    const db = await getDb();
    await db.insert(usageEvents).values({
      id: newId(),
      ...record,
      latencyMs: Math.max(0, Math.round(record.latencyMs)),
      firstTokenMs: record.firstTokenMs == null ? null : Math.max(0, Math.round(record.firstTokenMs)),
    });
  } catch (error) {
    console.error('[usage] could not record a model call', describeError(error));
  }
}
