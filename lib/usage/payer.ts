import { sql } from 'drizzle-orm';
import { ModelError } from '@/lib/ai/provider';
import { getDb } from '@/lib/db';
import { rowsOf } from '@/lib/db/rows';

/**
 * Who pays for a model call. The public API: the owner of the key that made the request, for
 * every call of it (each agent's contribution and the synthesis included), whoever owns the
 * agents. A channel: the person whose message started the chain of replies (`chainOf` names the
 * message being answered; hand-offs walk back to it), so mentioning someone else's agent spends
 * the mentioner's budget, never the agent owner's.
 */
export type Payer = { userId: string } | { chainOf: string };

// Deeper than any chain can be (hop limits are 1 to 10): a bound on the walk, not a rule.
const MAX_WALK = 32;

export async function payerOf(payer: Payer): Promise<string> {
  if ('userId' in payer) return payer.userId;
  const db = await getDb();
  const [row] = rowsOf<{ userId: string }>(
    await db.execute(sql`
      with recursive chain as (
        select id, reply_to_id, author_kind, author_user_id, 0 as depth from messages where id = ${payer.chainOf}
        union all
        select m.id, m.reply_to_id, m.author_kind, m.author_user_id, chain.depth + 1
        from messages m join chain on m.id = chain.reply_to_id
        where chain.author_kind = 'agent' and chain.depth < ${MAX_WALK}
      )
      select author_user_id as "userId" from chain where author_kind = 'user' limit 1`),
  );
  // The person's message was deleted: nobody asked for this any more, so nobody is billed.
  if (!row) throw new ModelError('unavailable', 'The message that started this conversation was deleted, so the agent does not answer it.');
  return row.userId;
}
