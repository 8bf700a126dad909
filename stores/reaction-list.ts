import type { ReactionJson } from '@/lib/contracts/messages';

/*
 * Reaction lists as the browser edits them. Shared JSON (history, events) says `me: false` for
 * everyone; whether a reaction is the viewer's comes from `userIds`.
 */

/** Whether `userId` is among those who reacted (`me` for answers that set it, lists without ids). */
export const reactedBy = (reaction: ReactionJson, userId: string | undefined): boolean =>
  reaction.userIds ? Boolean(userId && reaction.userIds.includes(userId)) : reaction.me;

/**
 * The list with one person's reaction added (`on`) or taken away, as the server would answer it:
 * a repeat changes nothing, an emoji nobody has any more disappears, most used first.
 */
export function toggledReaction(list: ReactionJson[] = [], emoji: string, user: { id: string; name: string }, on: boolean): ReactionJson[] {
  const existing = list.find((reaction) => reaction.emoji === emoji);
  if (on === Boolean(existing && reactedBy(existing, user.id))) return list;
  const next = on
    ? existing
      ? list.map((reaction) => (reaction === existing ? { ...reaction, count: reaction.count + 1, userIds: [...(reaction.userIds ?? []), user.id], names: [...(reaction.names ?? []), user.name] } : reaction))
      : [...list, { emoji, count: 1, me: false, userIds: [user.id], names: [user.name] }]
    : list.flatMap((reaction) => {
        if (reaction !== existing) return [reaction];
        if (reaction.count <= 1) return [];
        const at = reaction.userIds?.indexOf(user.id) ?? -1;
        return [{ ...reaction, count: reaction.count - 1, userIds: reaction.userIds?.filter((id) => id !== user.id), names: reaction.names?.filter((_, i) => i !== at) }];
      });
  // A stable sort: among equal counts the emoji used first stays first.
  return [...next].sort((a, b) => b.count - a.count);
}

/** "Ada, Bob and 3 others reacted with 👍": the chip's tooltip. */
export function reactorsLabel(reaction: ReactionJson, viewerId: string | undefined, shown = 8): string {
  const names = (reaction.names ?? []).map((name, i) => (reaction.userIds?.[i] === viewerId ? 'You' : name));
  const others = reaction.count - Math.min(shown, names.length);
  const listed = names.slice(0, shown);
  if (listed.length === 0) return `${reaction.count} reacted with ${reaction.emoji}`;
  const who = others > 0 ? `${listed.join(', ')} and ${others} other${others === 1 ? '' : 's'}` : listed.length === 1 ? listed[0] : `${listed.slice(0, -1).join(', ')} and ${listed.at(-1)}`;
  return `${who} reacted with ${reaction.emoji}`;
}
