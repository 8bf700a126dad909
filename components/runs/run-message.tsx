'use client';

import type { ReactNode } from 'react';
import { useChannel } from '@/components/chat/use-channels';
import type { Message } from '@/lib/api-types';
import { RoutingIndicator } from './routing-indicator';
import { RunChecklist } from './run-checklist';
import { useRun } from './use-runs';

/* What a channel message shows of goal runs and of the orchestrator's choice (message-item.tsx). */

/**
 * The message that started a run shows the run's checklist, live, in place of its text ("Goal:
 * …", which the checklist heads); the text stays while the run loads or if it cannot.
 */
export function RunMessageChecklist({ channelId, runId, text }: { channelId: string; runId: string; text: ReactNode }) {
  const { run, pending, error } = useRun(channelId, runId);
  if (run) return <RunChecklist run={run} />;
  return (
    <>
      {text}
      <p className="mt-1 text-xs text-gray-500" data-testid={pending ? 'run-loading' : 'run-missing'}>
        {pending ? 'Loading the goal run…' : error ? 'The goal run could not be loaded.' : 'This goal run is no longer available.'}
      </p>
    </>
  );
}

/**
 * On an agent's reply within a run: which task it is the latest attempt at ("Task 2 · Draft the
 * intro"), the lead's summary, or else (an attempt sent back) that it belongs to the run.
 */
export function RunReplyTag({ message }: { message: Message }) {
  const { run } = useRun(message.channelId, message.runId!);
  const at = run ? run.tasks.findIndex((task) => task.messageId === message.id) : -1;
  const summary = run?.summary !== undefined && message.status === 'complete' && message.content.trim() === run.summary.trim();
  const label = at >= 0 ? `Task ${at + 1} · ${run!.tasks[at]!.title}` : summary ? 'Summary' : 'Goal run';
  return (
    <span
      className="max-w-full truncate rounded bg-sky-50 px-1 text-[0.65rem] font-medium text-sky-800 ring-1 ring-sky-200 dark:bg-sky-950/60 dark:text-sky-200 dark:ring-sky-800"
      data-testid="run-task-tag"
      title={run ? `Goal: ${run.goal}` : undefined}
    >
      {label}
    </span>
  );
}

/** On a person's message an orchestrator routed: whom it chose, the reason on hover or focus. */
export function MessageRouting({ message }: { message: Message }) {
  const members = useChannel(message.channelId).data?.members ?? [];
  return <RoutingIndicator routing={message.routing!} agents={members.filter((member) => member.kind === 'agent')} />;
}
