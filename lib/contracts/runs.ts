/** Goal runs, the orchestrator's routing choice and the team canvas, as the API, the realtime events and the browser see them (API.md). */

export type RunStatus = 'planning' | 'running' | 'done' | 'stopped' | 'failed';
export type RunTaskStatus = 'todo' | 'doing' | 'review' | 'done' | 'failed';

/** Termination conditions, any of which ends a run: model calls, tokens, wall-clock seconds. */
export type RunBudget = { steps: number; tokens: number; seconds: number };
/** What a run spent: model calls (planning, each attempt, each review, the summary) and their tokens. */
export type RunUsage = { steps: number; promptTokens: number; completionTokens: number; tokens: number; seconds: number };

export type RunTaskJson = {
  id: string;
  title: string;
  agentId: string | null;
  status: RunTaskStatus;
  /** The latest attempt's result, once there is one. */
  result?: string;
  /** Why the supervisor sent the first attempt back, when it did. */
  review?: string;
  attempts: number;
  /** The channel message holding the latest attempt. */
  messageId?: string;
};

export type RunJson = {
  id: string;
  channelId: string;
  goal: string;
  status: RunStatus;
  tasks: RunTaskJson[];
  summary?: string;
  usage: RunUsage;
  budget: RunBudget;
  /** Why a stopped or failed run ended ("Stopped by Ada", "Reached its budget of 20 steps"). */
  stopReason?: string;
  /** Who supervises: the channel's lead agent, or null for the built-in supervisor. */
  supervisorAgentId: string | null;
  startedBy: string;
  /** The channel message that shows the run's checklist. */
  messageId?: string;
  createdAt: string;
  endedAt?: string;
};

/** The events of a run streamed by POST .../runs with `stream: true` (SSE `event:` names). */
export type RunStreamEvent = { event: 'run'; data: { run: RunJson } } | { event: 'done'; data: { run: RunJson } };

/**
 * An orchestrator's choice for a person's message (kept on the message, shown on hover): the
 * agent it chose, or null for nobody (the message was for a person, or small talk), and why.
 */
export type RoutingJson = { agentId: string | null; reason: string };

/** A node of a channel's team canvas: its id (`agent:<id>`, `user:<id>`, `kb:<id>`, `run:<id>`, `chat`, `note:<id>`) and where it sits. */
export type CanvasNodeJson = { id: string; x: number; y: number; data?: { text?: string; color?: string } };
export type CanvasJson = { channelId: string; nodes: CanvasNodeJson[] };
