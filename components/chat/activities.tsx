'use client';

import { useState } from 'react';
import type { ActivityJson } from '@/lib/contracts/abilities';

/*
 * The steps of an agent's reply (its tool calls, API.md `activities`): shown as they happen while
 * the reply streams, then folded into one line ("Used 3 tools") that opens them again.
 */

const TOOL_LABELS: Record<string, string> = {
  web_search: 'Web search',
  read_page: 'Read page',
  deep_research: 'Deep research',
  search_knowledge: 'Knowledge',
  describe_image: 'Image',
  describe_video: 'Video',
  vision: 'Image',
  video: 'Video',
};

function StatusIcon({ status }: { status: ActivityJson['status'] }) {
  if (status === 'running') {
    return <span className="mt-0.5 inline-block h-3 w-3 shrink-0 animate-spin rounded-full border-2 border-sky-500 border-t-transparent" aria-label="running" />;
  }
  if (status === 'error') {
    return (
      <span className="shrink-0 text-red-600 dark:text-red-400" aria-label="failed">
        ✕
      </span>
    );
  }
  return (
    <span className="shrink-0 text-emerald-600 dark:text-emerald-400" aria-label="done">
      ✓
    </span>
  );
}

/** A step started inside another (deep research's searches and page reads) has an id `<call id>:<step id>`. */
const isInner = (activity: ActivityJson, all: ActivityJson[]) => {
  const at = activity.id.indexOf(':');
  return at > 0 && all.some((other) => other.id === activity.id.slice(0, at));
};

function Steps({ activities }: { activities: ActivityJson[] }) {
  return (
    <ol className="mt-1 space-y-0.5 text-xs" data-testid="activity-steps">
      {activities.map((activity) => (
        <li
          key={activity.id}
          className={`flex items-start gap-1.5 ${isInner(activity, activities) ? 'pl-5' : ''}`}
          data-testid="activity"
          data-status={activity.status}
          data-tool={activity.tool}
        >
          <StatusIcon status={activity.status} />
          <span className="min-w-0">
            <span className="text-gray-700 dark:text-gray-200">{activity.title}</span>
            {activity.detail && (
              <span className={activity.status === 'error' ? ' text-red-600 dark:text-red-400' : ' text-gray-500'}> · {activity.detail}</span>
            )}
            {!isInner(activity, activities) && TOOL_LABELS[activity.tool] === undefined && activity.tool.startsWith('mcp_') && (
              <span className="ml-1 rounded bg-gray-100 px-1 text-[0.65rem] text-gray-500 dark:bg-gray-800">MCP</span>
            )}
          </span>
        </li>
      ))}
    </ol>
  );
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The strip of frames an agent sampled from a video, with the moment of each: shown folded or not. */
function FrameStrips({ activities }: { activities: ActivityJson[] }) {
  const strips = activities.filter((activity) => activity.frames && activity.frames.length > 0);
  if (strips.length === 0) return null;
  return (
    <div className="mt-1 space-y-1">
      {strips.map((activity) => (
        <figure key={activity.id} data-testid="frame-strip">
          {/* eslint-disable-next-line @next/next/no-img-element -- a private file served to members, not an optimizable asset */}
          <img
            src={activity.frames![0]!.url}
            alt={`Frames sampled at ${activity.frames!.map((frame) => seconds(frame.atMs)).join(', ')}`}
            className="max-h-28 max-w-full rounded border border-gray-200 dark:border-gray-700"
            loading="lazy"
          />
          <figcaption className="text-[0.65rem] text-gray-500">
            {activity.title.replace(/^Watching /, '')} · {activity.frames!.map((frame) => seconds(frame.atMs)).join(' · ')}
          </figcaption>
        </figure>
      ))}
    </div>
  );
}

export function ActivitySteps({ activities, streaming }: { activities: ActivityJson[]; streaming: boolean }) {
  const [open, setOpen] = useState(false);
  if (activities.length === 0) return null;
  if (streaming)
    return (
      <>
        <Steps activities={activities} />
        <FrameStrips activities={activities} />
      </>
    );
  const calls = activities.filter((activity) => !isInner(activity, activities));
  const failed = calls.filter((activity) => activity.status === 'error').length;
  const summary = `Used ${calls.length} tool${calls.length === 1 ? '' : 's'}${failed ? ` (${failed} failed)` : ''}`;
  return (
    <div className="mt-1">
      <button
        type="button"
        className="flex items-center gap-1 rounded px-1 text-xs text-gray-500 hover:bg-gray-100 hover:text-gray-800 dark:hover:bg-gray-800 dark:hover:text-gray-200"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        data-testid="activity-summary"
      >
        <span aria-hidden className={`inline-block transition-transform ${open ? 'rotate-90' : ''}`}>
          ▸
        </span>
        {summary}
      </button>
      {open && <Steps activities={activities} />}
      <FrameStrips activities={activities} />
    </div>
  );
}
