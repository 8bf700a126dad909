'use client';

import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { Member } from '@/lib/api-types';
import type { RoutingJson } from '@/lib/contracts/runs';

/**
 * The orchestrator's choice for a person's message, kept quiet: "→ Scout" or "→ nobody", whose
 * reason shows as a tooltip on hover and on keyboard focus (Escape hides it), so it is there for
 * whoever wonders why an agent answered, or did not, without crowding the conversation.
 */
export function RoutingIndicator({ routing, agents }: { routing: RoutingJson; agents: Member[] }) {
  const [open, setOpen] = useState(false);
  const tipId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const chosen = routing.agentId ? agents.find((agent) => agent.id === routing.agentId) : undefined;
  const name = routing.agentId ? (chosen?.name ?? 'an agent') : 'nobody';

  const [place, setPlace] = useState<{ left: number; top?: number; bottom?: number } | null>(null);

  // Placed against the viewport, so the scrolling message list cannot clip it: above the
  // indicator when it sits low on the screen (the newest message, over the composer).
  useLayoutEffect(() => {
    if (!open || !button.current) return;
    const rect = button.current.getBoundingClientRect();
    const left = Math.max(8, Math.min(rect.left, (document.documentElement.clientWidth || window.innerWidth) - 264));
    setPlace(rect.bottom > window.innerHeight * 0.6 ? { left, bottom: window.innerHeight - rect.top + 4 } : { left, top: rect.bottom + 4 });
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && setOpen(false);
    // Placed for where the indicator was: a scroll moves it away.
    const onScroll = () => setOpen(false);
    document.addEventListener('keydown', onKey);
    window.addEventListener('scroll', onScroll, true);
    return () => {
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('scroll', onScroll, true);
    };
  }, [open]);

  return (
    <span className="relative inline-flex" onMouseEnter={() => setOpen(true)} onMouseLeave={() => setOpen(false)}>
      <button
        ref={button}
        type="button"
        data-testid="routing-indicator"
        data-agent-id={routing.agentId ?? ''}
        aria-label={`Routed to ${name}`}
        aria-describedby={tipId}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        // A tap shows it too (touch has no hover).
        onClick={() => setOpen((was) => !was)}
        className="rounded px-1 text-xs text-gray-400 hover:bg-gray-100 hover:text-gray-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-gray-500 dark:hover:bg-gray-800 dark:hover:text-gray-200"
      >
        → {name}
      </button>
      <span
        id={tipId}
        role="tooltip"
        data-testid="routing-reason"
        hidden={!open}
        style={place ?? undefined}
        className="fixed z-50 w-max max-w-[16rem] rounded-md bg-gray-900 px-2 py-1 text-xs text-white shadow-lg dark:bg-gray-100 dark:text-gray-900"
      >
        {routing.agentId ? `The orchestrator chose ${name}: ` : 'The orchestrator chose no agent: '}
        {routing.reason}
      </span>
    </span>
  );
}
