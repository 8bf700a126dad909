const palette = ['bg-sky-600', 'bg-emerald-600', 'bg-violet-600', 'bg-amber-600', 'bg-rose-600', 'bg-teal-600', 'bg-indigo-600', 'bg-fuchsia-600'];

function hueFor(seed: string): string {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return palette[hash % palette.length]!;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? parts.at(-1)![0] : '')).toUpperCase();
}

/**
 * An avatar: the agent's own image when it has one, else generated initials on a colour derived
 * from the id, so everyone keeps theirs. Agents are round with a ring; people are square.
 */
export function Avatar({ id, name, size = 'md', agent = false, src }: { id: string; name: string; size?: 'sm' | 'md'; agent?: boolean; src?: string | null }) {
  const dims = size === 'sm' ? 'h-6 w-6 text-[0.6rem]' : 'h-9 w-9 text-xs';
  const shape = agent ? 'rounded-full ring-2 ring-violet-400/70' : 'rounded-md';
  if (src) {
    // eslint-disable-next-line @next/next/no-img-element -- any https image an owner chose; not ours to optimize
    return <img aria-hidden src={src} alt="" referrerPolicy="no-referrer" className={`shrink-0 object-cover ${dims} ${shape}`} />;
  }
  return (
    <span aria-hidden data-agent={agent || undefined} className={`inline-flex shrink-0 items-center justify-center font-semibold text-white ${dims} ${shape} ${hueFor(id)}`}>
      {initials(name)}
    </span>
  );
}
