'use client';

import { useId, useState } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { Markdown } from '@/components/ui/markdown';
import type { Member } from '@/lib/api-types';
import type { RunTaskJson, RunTaskStatus } from '@/lib/contracts/runs';
import { TASK_STATUS } from './run-format';

/** The state of a task to the eye; the words (TASK_STATUS) are there for screen readers. */
function TaskIcon({ status }: { status: RunTaskStatus }) {
  const base = 'mt-0.5 inline-flex h-4 w-4 shrink-0 items-center justify-center rounded-full text-[0.65rem] font-bold leading-none';
  if (status === 'doing') return <span aria-hidden className="mt-0.5 inline-block h-4 w-4 shrink-0 animate-spin rounded-full border-2 border-sky-500 border-t-transparent" />;
  if (status === 'review') return <span aria-hidden className={`${base} bg-amber-100 text-amber-700 ring-1 ring-amber-400 dark:bg-amber-900/60 dark:text-amber-200`}>…</span>;
  if (status === 'done') return <span aria-hidden className={`${base} bg-emerald-600 text-white dark:bg-emerald-500`}>✓</span>;
  if (status === 'failed') return <span aria-hidden className={`${base} bg-red-600 text-white dark:bg-red-500`}>✕</span>;
  return <span aria-hidden className={`${base} border-2 border-gray-300 dark:border-gray-600`} />;
}

/** One task of a run's checklist: its state, whom it is for, why it was sent back, and its result folded. */
export function RunTaskItem({ task, n, assignee }: { task: RunTaskJson; n: number; assignee?: Member }) {
  const [open, setOpen] = useState(false);
  const resultId = useId();
  return (
    <li className="flex gap-2 py-1.5" data-testid="run-task" data-status={task.status}>
      <TaskIcon status={task.status} />
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
          <span className={`text-sm ${task.status === 'done' ? 'text-gray-600 dark:text-gray-300' : 'font-medium text-gray-900 dark:text-gray-100'}`}>
            <span className="sr-only">{TASK_STATUS[task.status]}: </span>
            <span className="text-gray-500 dark:text-gray-400">{n}.</span> {task.title}
          </span>
          {task.status !== 'todo' && task.status !== 'done' && task.status !== 'failed' && (
            <span aria-hidden className="text-xs text-gray-500 dark:text-gray-400">{TASK_STATUS[task.status].toLowerCase()}</span>
          )}
          {task.status === 'failed' && <span aria-hidden className="text-xs text-red-600 dark:text-red-400">failed</span>}
        </div>
        <div className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs text-gray-500 dark:text-gray-400">
          {task.agentId ? (
            <span className="inline-flex items-center gap-1" data-testid="run-task-assignee">
              <Avatar id={task.agentId} name={assignee?.name ?? 'Agent'} size="sm" agent src={assignee?.avatar} />
              <span>
                <span className="sr-only">Assigned to </span>
                {assignee ? assignee.name : 'an agent no longer in the channel'}
              </span>
            </span>
          ) : (
            <span data-testid="run-task-assignee">Not assigned yet</span>
          )}
          {task.attempts > 1 && <span data-testid="run-task-attempts">attempt {task.attempts}</span>}
        </div>
        {task.review && (
          <p className="mt-1 rounded bg-amber-50 px-2 py-1 text-xs text-amber-900 dark:bg-amber-950/50 dark:text-amber-200" data-testid="run-task-review">
            <span className="font-semibold">Sent back by the supervisor:</span> {task.review}
          </p>
        )}
        {task.result && (
          <div className="mt-1">
            <button
              type="button"
              aria-expanded={open}
              aria-controls={resultId}
              onClick={() => setOpen(!open)}
              data-testid="run-task-result-toggle"
              className="flex items-center gap-1 rounded px-1 text-xs text-gray-600 hover:bg-gray-100 hover:text-gray-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-gray-300 dark:hover:bg-gray-800 dark:hover:text-gray-100"
            >
              <span aria-hidden className={`inline-block transition-transform ${open ? 'rotate-90' : ''}`}>▸</span>
              {open ? 'Hide result' : 'Show result'}
              <span className="sr-only"> of task {n}</span>
            </button>
            <div id={resultId} hidden={!open} className="mt-1 border-l-2 border-gray-200 pl-2 text-sm dark:border-gray-700" data-testid="run-task-result">
              {open && <Markdown source={task.result} />}
            </div>
          </div>
        )}
      </div>
    </li>
  );
}
