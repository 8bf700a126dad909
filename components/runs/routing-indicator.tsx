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

  const [place, setPlace] = useState<{ above: boolean; shift: number }>({ above: false, shift: 0 });
  // Held beside the indicator (so it moves with it when the list scrolls), opening upwards when
  // it sits low on the screen (the newest message, over the composer), and moved left as far as
  // it must to stay on a narrow screen.
  useLayoutEffect(() => {
    if (!open || !button.current) return;
    const rect = button.current.getBoundingClientRect();
    const viewportWidth = document.documentElement.clientWidth || window.innerWidth;
    const width = Math.min(256, viewportWidth - 16);
    setPlace({ above: rect.bottom + 72 > window.innerHeight, shift: Math.max(0, rect.left + width + 8 - viewportWidth) });
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && setOpen(false);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
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
        // A tap shows it too (touch has no hover); tapping elsewhere blurs it away.
        onClick={() => setOpen(true)}
        className="rounded px-1 text-xs text-gray-400 hover:bg-gray-100 hover:text-gray-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-gray-500 dark:hover:bg-gray-800 dark:hover:text-gray-200"
      >
        → {name}
      </button>
      <span
        id={tipId}
        role="tooltip"
        data-testid="routing-reason"
        hidden={!open}
        style={{ left: -place.shift }}
        className={`absolute z-30 w-max max-w-[min(16rem,calc(100vw-1rem))] ${place.above ? 'bottom-full mb-1' : 'top-full mt-1'} rounded-md bg-gray-900 px-2 py-1 text-xs text-white shadow-lg dark:bg-gray-100 dark:text-gray-900`}
      >
        {routing.agentId ? `The orchestrator chose ${name}: ` : 'The orchestrator chose no agent: '}
        {routing.reason}
      </span>
    </span>
  );
}
