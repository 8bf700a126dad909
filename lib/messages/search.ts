import 'server-only';
import { and, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { requireMember } from '@/lib/channels/access';
import type { MessageSearchResultJson, PersonJson } from '@/lib/contracts/search';
import { getDb, type Database } from '@/lib/db';
import { agents, channelMembers, channels, messages, users } from '@/lib/db/schema';
import { rowsOf } from '@/lib/db/rows';
import { invalidRequest } from '@/lib/http/errors';
import { messageColumns, withAttachments } from './format';

/*
 * Message search (GET /api/search). What a person types is read as Slack reads it:
 *   in:#channel   only that channel (a name among the caller's channels; several are OR-ed)
 *   from:@name    only that author: a person's name (whole, without spaces, or first name) or an
 *                 agent's handle or name; `from:@"Ada Lovelace"` for a name with spaces
 *   before:D after:D on:D   D is YYYY-MM-DD in UTC; before and after exclude the day itself
 *   the rest      words and "quoted phrases" as websearch_to_tsquery reads them (-word excludes)
 * Words are matched on the `english` stems (running finds runs). Results are newest first: a
 * person looking for a message mostly wants the recent one, and id order with a LIMIT stays fast
 * on a common word, where ranking would have to score every match. An `in:` or `from:` that names
 * nothing the caller can see finds nothing (200, no results), as a word that matches nothing does.
 */

/** Longer queries are refused (400): nobody types this much into a search box. */
export const MAX_SEARCH_CHARS = 500;

export type SearchFilters = {
  /** The words and phrases, for websearch_to_tsquery; empty when the query is filters alone. */
  text: string;
  /** Channel names, lowercased, without `#`. */
  in: string[];
  /** Author names or handles, lowercased, without `@`. */
  from: string[];
  /** created_at >= since and < until (UTC), when set. */
  since?: Date;
  until?: Date;
};

const DAY_MS = 86_400_000;
const FILTER = /(?<=^|\s)(in|from|before|after|on):([@#]?(?:"[^"]*"?|\S*))/gi;

function parseDay(key: string, value: string, errors: string[]): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  // Date.UTC rolls 2026-02-30 over to March: a day that does not exist is refused, not moved.
  if (!day || day.toISOString().slice(0, 10) !== value) {
    errors.push(`${key}: needs a date as YYYY-MM-DD, not "${value}".`);
    return undefined;
  }
  return day;
}

const unquote = (value: string) => value.replace(/^([@#]?)"/, '$1').replace(/"$/, '').trim();
const latest = (a: Date | undefined, b: Date) => (a && a > b ? a : b);
const earliest = (a: Date | undefined, b: Date) => (a && a < b ? a : b);

/** Splits a query into its filters and its words; a malformed filter is a 400 with the reasons in `details.q`. */
export function parseSearchQuery(q: string): SearchFilters {
  const filters: SearchFilters = { text: '', in: [], from: [] };
  const errors: string[] = [];
  const text = q.replace(FILTER, (_, rawKey: string, rawValue: string) => {
    const key = rawKey.toLowerCase();
    const value = unquote(rawValue).replace(key === 'in' ? /^#/ : key === 'from' ? /^@/ : /^$/, '').trim();
    if (!value) {
      errors.push(`${key}: needs a value.`);
      return ' ';
    }
    if (key === 'in') filters.in.push(value.toLowerCase());
    else if (key === 'from') filters.from.push(value.toLowerCase());
    else {
      const day = parseDay(key, value, errors);
      if (!day) return ' ';
      const next = new Date(day.getTime() + DAY_MS);
      if (key === 'before') filters.until = earliest(filters.until, day);
      if (key === 'after') filters.since = latest(filters.since, next);
      if (key === 'on') {
        filters.since = latest(filters.since, day);
        filters.until = earliest(filters.until, next);
      }
    }
    return ' ';
  });
  if (errors.length) throw invalidRequest('The search query is invalid.', { q: errors });
  filters.text = text.replace(/\s+/g, ' ').trim();
  return filters;
}

/** The caller's channels (id and name), those an `in:` or `channelId` narrows the search to. */
async function searchableChannels(db: Database, userId: string, filters: SearchFilters, channelId?: string) {
  if (channelId) await requireMember(db, { userId, channelId });
  const rows = await db
    .select({ id: channels.id, name: channels.name })
    .from(channelMembers)
    .innerJoin(channels, eq(channels.id, channelMembers.channelId))
    .where(and(eq(channelMembers.userId, userId), channelId ? eq(channelMembers.channelId, channelId) : undefined));
  return filters.in.length ? rows.filter((row) => filters.in.includes(row.name.toLowerCase())) : rows;
}

/** Authors matching any `from:` value: people by name, agents by handle or name. */
function authorCondition(from: string[]): SQL {
  const userName = sql`lower(${users.name})`;
  const people = anyOf(from, (value) => or(sql`${userName} = ${value}`, sql`replace(${userName}, ' ', '') = ${value}`, sql`split_part(${userName}, ' ', 1) = ${value}`)!);
  const bots = anyOf(from, (value) => or(sql`lower(${agents.handle}) = ${value}`, sql`lower(${agents.name}) = ${value}`)!);
  return or(
    sql`${messages.authorUserId} in (select ${users.id} from ${users} where ${people})`,
    sql`${messages.authorAgentId} in (select ${agents.id} from ${agents} where ${bots})`,
  )!;
}

function anyOf(values: string[], each: (value: string) => SQL): SQL {
  return or(...values.map(each))!;
}

/*
 * The snippet is marked here rather than by ts_headline, which drops whatever looks like an HTML
 * tag from the text: a message that says "<b>" must show "<b>". Words are the runs of letters and
 * digits; one that stems to a lexeme of the query (the same `english` configuration as the index,
 * so "running" is marked for "runs") is marked. The text is HTML-escaped, and only then wrapped in
 * <mark>, so no character of a message is ever read as markup.
 */
const WORD = /[\p{L}\p{N}]+/gu;
const SNIPPET_CHARS = 240;
/** How much text to keep before the first match when a long message is cut to a snippet. */
const SNIPPET_LEAD = 60;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The words of the query that are wanted (not `-excluded`), without the operators. */
const wantedText = (text: string) => text.replace(/(^|\s)-("[^"]*"?|\S+)/g, ' ').replace(/\bor\b/gi, ' ');

/** Which of `words` match a lexeme of the query, in one round trip for all the results. */
async function matchingWords(db: Database, words: string[], text: string): Promise<Set<string>> {
  if (!words.length || !text) return new Set();
  const rows = rowsOf<{ w: string }>(
    await db.execute(sql`
      select w from unnest(${sql.param(words)}::text[]) as w
      where tsvector_to_array(to_tsvector('english', w)) && tsvector_to_array(to_tsvector('english', ${wantedText(text)}))
    `),
  );
  return new Set(rows.map((row) => row.w));
}

/** A snippet of `content` (at most about SNIPPET_CHARS, starting a little before the first match), escaped, its matches in <mark>. */
export function markHighlight(content: string, matches: Set<string>): string {
  const spans = [...content.matchAll(WORD)].filter((m) => matches.has(m[0].toLowerCase())).map((m) => [m.index, m.index + m[0].length] as const);
  let from = 0;
  if (content.length > SNIPPET_CHARS && spans.length && spans[0]![0] > SNIPPET_LEAD) {
    from = content.lastIndexOf(' ', spans[0]![0] - SNIPPET_LEAD) + 1;
  }
  let to = Math.min(content.length, from + SNIPPET_CHARS);
  const space = to < content.length ? content.lastIndexOf(' ', to) : -1;
  if (space > from) to = space;
  let out = from > 0 ? '… ' : '';
  let at = from;
  for (const [start, end] of spans) {
    if (start < from || end > to) continue;
    out += `${escapeHtml(content.slice(at, start))}<mark>${escapeHtml(content.slice(start, end))}</mark>`;
    at = end;
  }
  return out + escapeHtml(content.slice(at, to)) + (to < content.length ? ' …' : '');
}

export async function searchMessages({ userId, q, channelId, limit }: { userId: string; q: string; channelId?: string; limit: number }): Promise<MessageSearchResultJson[]> {
  const filters = parseSearchQuery(q);
  const db = await getDb();
  const scope = await searchableChannels(db, userId, filters, channelId);
  if (scope.length === 0) return [];
  const names = new Map(scope.map((row) => [row.id, row.name]));

  const query = filters.text ? sql`websearch_to_tsquery('english', ${filters.text})` : undefined;
  const rows = await db
    .select(messageColumns)
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorUserId))
    .leftJoin(agents, eq(agents.id, messages.authorAgentId))
    .where(
      and(
        // Membership is read with the query itself: someone removed a moment ago finds nothing there.
        inArray(messages.channelId, [...names.keys()]),
        query ? sql`${messages.tsv} @@ ${query}` : undefined,
        filters.from.length ? authorCondition(filters.from) : undefined,
        filters.since ? gte(messages.createdAt, filters.since) : undefined,
        filters.until ? lt(messages.createdAt, filters.until) : undefined,
      ),
    )
    .orderBy(desc(messages.id))
    .limit(limit);

  const words = [...new Set(rows.flatMap((row) => [...row.message.content.matchAll(WORD)].map((m) => m[0].toLowerCase())))];
  const [json, matches] = await Promise.all([withAttachments(db, rows), matchingWords(db, words, filters.text)]);
  return rows.map((row, i) => ({
    message: { ...json[i]!, ...(row.message.threadId ? { threadId: row.message.threadId } : {}) },
    channel: { id: row.message.channelId, name: names.get(row.message.channelId)! },
    highlight: markHighlight(row.message.content, matches),
  }));
}

/** People who share a channel with the caller, whose name contains `q` (the switcher's People). */
export async function searchPeople({ userId, q, limit }: { userId: string; q: string; limit: number }): Promise<PersonJson[]> {
  const db = await getDb();
  const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const mine = db.select({ channelId: channelMembers.channelId }).from(channelMembers).where(eq(channelMembers.userId, userId));
  return db
    .selectDistinct({ id: users.id, name: users.name })
    .from(channelMembers)
    .innerJoin(users, eq(users.id, channelMembers.userId))
    .where(and(inArray(channelMembers.channelId, mine), sql`lower(${users.name}) like ${pattern}`))
    .orderBy(users.name, users.id)
    .limit(limit);
}
