import 'server-only';
import { ModelError, type CompletionRequest, type ModelMessage, type ModelProvider, type SourcePassage, type StreamEvent, type ToolCall, type ToolSpec, type Usage } from './provider';
import {
  delimitToolResult,
  FINAL_STEP_PROMPT,
  parseToolArguments,
  safeName,
  TOOL_RESULTS_PROMPT,
  ToolError,
  type ToolActivity,
  type ToolDefinition,
  type ToolResult,
  type ToolSet,
} from './tools';

/** One model call: the caller passes its metered stream here, so every call of the loop is counted. */
export type StreamFunction = (request: CompletionRequest) => AsyncIterable<StreamEvent>;

export type ToolLoopOptions = {
  /** How each model call is made; `provider.stream` when omitted. */
  stream?: StreamFunction;
  provider?: ModelProvider;
  /** The conversation; the loop adds the tools, the signal and the turns of each step. */
  request: Omit<CompletionRequest, 'tools' | 'signal'>;
  tools: ToolSet;
  /** Model calls that may call tools; one more call, without tools, answers when they are used up. */
  maxSteps?: number;
  /** Each call's own deadline; a call past it answers the model with an error. */
  toolTimeoutMs?: number;
  /** Calls run per step; the model's further calls in that step answer it with an error. */
  maxCallsPerStep?: number;
  /** What the model reads of one result at most. */
  maxResultChars?: number;
  /**
   * The message, fit for people and the model, of an error a tool threw; undefined for "The tool
   * failed." A ToolError's message is used without it (abilities pass their own error types here).
   */
  describeError?: (error: unknown) => string | undefined;
  /** Stop: ends the loop at once, the model call or the tools it is waiting on. */
  signal?: AbortSignal;
  onActivity?: (activity: ToolActivity) => void;
  onDelta?: (text: string) => void;
};

/** A call the loop ran: the activity it showed, and the tool's result when it succeeded. */
export type ToolCallRecord = { step: number; call: ToolCall; activity: ToolActivity; result?: ToolResult };

export type ToolLoopResult = {
  /** Everything the model said, every step's text (as `onDelta` received it). */
  content: string;
  /** Model calls made. */
  steps: number;
  usage: Usage;
  /** The last state of every activity (each call's, and the steps tools published inside theirs), in the order they started. */
  activities: ToolActivity[];
  calls: ToolCallRecord[];
  /** Every source the tools returned, in order. */
  sources: SourcePassage[];
};

export const DEFAULT_MAX_TOOL_STEPS = 6;
export const DEFAULT_TOOL_TIMEOUT_MS = 20_000;

const stopped = () => new ModelError('cancelled', 'The reply was stopped.');

/** Separates the text of two steps, so "Let me look." and the answer do not run together. */
const STEP_SEPARATOR = '\n\n';

/**
 * The tool loop of one reply. Each step streams the model (text to `onDelta`), and when it asks
 * for tools, runs them in parallel, each under its own deadline and the loop's stop, and sends
 * their results back, delimited as data. The tools offered are fixed when the loop starts:
 * nothing a result says adds, removes or changes one. Failures of a tool (unknown name, bad
 * arguments, an error, a timeout) are answers to the model, never thrown; a stop or a model
 * error is thrown (a `ModelError`), after the activities of running calls end as errors.
 */
export async function runToolLoop(options: ToolLoopOptions): Promise<ToolLoopResult> {
  const { request, tools, signal, onActivity, onDelta } = options;
  const maxSteps = Math.max(0, options.maxSteps ?? DEFAULT_MAX_TOOL_STEPS);
  const stream = options.stream ?? options.provider?.stream.bind(options.provider);
  if (!stream) throw new TypeError('runToolLoop needs a stream function or a provider.');
  const byName = new Map(Object.values(tools).map((tool) => [tool.spec.name, tool]));
  // Copied and frozen once: the same set goes with every call of this loop.
  const specs: readonly ToolSpec[] = Object.freeze([...byName.values()].map((tool) => Object.freeze(structuredClone(tool.spec))));
  const activities = new Map<string, ToolActivity>();
  const publish = (activity: ToolActivity) => {
    activities.set(activity.id, activity);
    onActivity?.(activity);
  };
  const run: RunContext = {
    tools: byName,
    toolTimeoutMs: options.toolTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS,
    maxResultChars: options.maxResultChars ?? 32_000,
    signal,
    publish,
    describeError: options.describeError,
  };
  const maxCalls = options.maxCallsPerStep ?? 8;

  const messages: ModelMessage[] = specs.length > 0 && maxSteps > 0 ? withToolsPrompt(request.messages) : [...request.messages];
  const usage: Usage = { promptTokens: 0, completionTokens: 0 };
  const calls: ToolCallRecord[] = [];
  const sources: SourcePassage[] = [];
  const seenIds = new Set<string>();
  let content = '';
  let steps = 0;
  for (let step = 0; ; step++) {
    if (signal?.aborted) throw stopped();
    const offer = specs.length > 0 && step < maxSteps;
    const last = !offer && step > 0;
    let stepText = '';
    const said = await streamStep(
      stream,
      {
        ...request,
        messages: last ? [...messages, { role: 'system', content: FINAL_STEP_PROMPT }] : [...messages],
        ...(offer ? { tools: [...specs] } : {}),
        ...(sources.length > 0 ? { sources: [...(request.sources ?? []), ...sources] } : {}),
        ...(signal ? { signal } : {}),
      },
      (text) => {
        // The separator goes out with a step's first text, so what onDelta received and `content` agree.
        const piece = content && !stepText ? STEP_SEPARATOR + text : text;
        stepText += text;
        content += piece;
        onDelta?.(piece);
      },
    );
    steps += 1;
    usage.promptTokens += said.usage.promptTokens;
    usage.completionTokens += said.usage.completionTokens;
    if (!offer || said.calls.length === 0) return { content, steps, usage, activities: [...activities.values()], calls, sources };

    const stepCalls = said.calls.map((call, index) => ({ ...call, id: uniqueId(call.id, step, index, seenIds) }));
    messages.push({ role: 'assistant', content: stepText, toolCalls: stepCalls });
    const records = await Promise.all(
      stepCalls.map((call, index) => (index < maxCalls ? runCall(run, call, step) : refuse(run, call, step, `At most ${maxCalls} tools run in one step; call this one again in the next step.`))),
    );
    for (const record of records) {
      calls.push(record.record);
      // A source found again (by number: the caller numbers one list per reply) is not listed twice.
      const known = new Set([...(request.sources ?? []), ...sources].map((source) => source.n));
      for (const source of record.record.result?.sources ?? []) {
        if (known.has(source.n)) continue;
        known.add(source.n);
        sources.push(source);
      }
      messages.push({ role: 'tool', toolCallId: record.record.call.id, content: record.message });
    }
  }
}

/** The tools prompt goes after the conversation's leading system messages (the agent's own come first). */
/** The rule for tool results, right after the agent's own system message (sources found for a message stay next to it). */
function withToolsPrompt(messages: ModelMessage[]): ModelMessage[] {
  const index = messages[0]?.role === 'system' ? 1 : 0;
  return [...messages.slice(0, index), { role: 'system', content: TOOL_RESULTS_PROMPT }, ...messages.slice(index)];
}

async function streamStep(stream: StreamFunction, request: CompletionRequest, onText: (text: string) => void) {
  const said = { calls: [] as ToolCall[], usage: { promptTokens: 0, completionTokens: 0 } as Usage };
  for await (const event of stream(request)) {
    if (event.type === 'delta') {
      if (event.text) onText(event.text);
    } else if (event.type === 'tool_call') said.calls.push(event.call);
    else said.usage = event.usage;
  }
  if (request.signal?.aborted) throw stopped();
  return said;
}

/** Ids answer calls, so each must be unique in the loop; a server that repeats or omits them gets new ones. */
function uniqueId(id: string, step: number, index: number, seen: Set<string>): string {
  let candidate = id && /^[\w.-]{1,64}$/.test(id) ? id : `call_${step}_${index}`;
  for (let n = 2; seen.has(candidate); n++) candidate = `call_${step}_${index}_${n}`;
  seen.add(candidate);
  return candidate;
}

type RunContext = {
  tools: Map<string, ToolDefinition>;
  toolTimeoutMs: number;
  maxResultChars: number;
  signal?: AbortSignal;
  publish: (activity: ToolActivity) => void;
  describeError?: (error: unknown) => string | undefined;
};

type Ran = { record: ToolCallRecord; message: string };

const oneLine = (text: string, max = 200) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function titleOf(tool: ToolDefinition | undefined, call: ToolCall, args: Record<string, unknown> | undefined): string {
  if (!tool) return `Unknown tool ${safeName(call.name)}`;
  if (args && tool.title) {
    try {
      return oneLine(tool.title(args)) || `Using ${tool.spec.name}`;
    } catch {
      // A title built from arguments the tool will refuse anyway: the plain one does.
    }
  }
  return `Using ${tool.spec.name}`;
}

function refuse(run: RunContext, call: ToolCall, step: number, reason: string): Ran {
  const activity: ToolActivity = { id: call.id, tool: safeName(call.name), status: 'error', title: titleOf(run.tools.get(call.name), call, undefined), detail: reason };
  run.publish({ id: activity.id, tool: activity.tool, status: 'running', title: activity.title });
  run.publish(activity);
  return { record: { step, call, activity }, message: delimitToolResult(call, `Error: ${reason}`, 'error') };
}

class ToolTimeout extends Error {}

/** Runs `work` until it settles or `signal` aborts, whichever comes first (a tool that ignores its signal still ends). */
function race<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function runCall(run: RunContext, call: ToolCall, step: number): Promise<Ran> {
  const tool = run.tools.get(call.name);
  if (!tool) {
    const names = [...run.tools.keys()].join(', ') || 'none';
    return refuse(run, call, step, `There is no tool named "${safeName(call.name)}". The tools you may call are: ${names}.`);
  }
  const parsed = parseToolArguments(call.arguments);
  if (!parsed.ok) return refuse(run, call, step, `${parsed.error} Call ${tool.spec.name} again with a JSON object that matches its parameters.`);

  const base = { id: call.id, tool: tool.spec.name, title: titleOf(tool, call, parsed.value) };
  run.publish({ ...base, status: 'running' });
  const controller = new AbortController();
  const onStop = () => controller.abort(stopped());
  run.signal?.addEventListener('abort', onStop, { once: true });
  if (run.signal?.aborted) onStop();
  const timer = setTimeout(() => controller.abort(new ToolTimeout()), run.toolTimeoutMs);
  // Steps a tool publishes inside its call, open until the call ends; any still running then end with it.
  const inner = new Map<string, ToolActivity>();
  let open = true;
  const activity = (item: ToolActivity) => {
    if (!open) return;
    const published: ToolActivity = { id: `${call.id}:${safeName(item.id)}`, tool: safeName(item.tool), status: item.status, title: oneLine(item.title), ...(item.detail ? { detail: oneLine(item.detail) } : {}) };
    inner.set(published.id, published);
    run.publish(published);
  };
  const end = (ended: ToolActivity) => {
    open = false;
    for (const item of inner.values()) if (item.status === 'running') run.publish({ ...item, status: ended.status, ...(ended.detail ? { detail: ended.detail } : {}) });
    run.publish(ended);
    return ended;
  };
  try {
    const result = await race(
      Promise.resolve().then(() => tool.run(parsed.value, { signal: controller.signal, callId: call.id, activity })),
      controller.signal,
    );
    if (typeof result?.content !== 'string') throw new Error('A tool returned no content.');
    const ended = end({ ...base, status: 'done', ...(result.detail ? { detail: oneLine(result.detail) } : {}) });
    return { record: { step, call, activity: ended, result }, message: delimitToolResult(call, cut(result.content, run.maxResultChars)) };
  } catch (error) {
    if (run.signal?.aborted) {
      end({ ...base, status: 'error', detail: 'Stopped.' });
      throw stopped();
    }
    const timedOut = error instanceof ToolTimeout || (controller.signal.aborted && controller.signal.reason instanceof ToolTimeout);
    const reason = timedOut ? `The tool took longer than ${Math.round(run.toolTimeoutMs / 100) / 10} s and was stopped.` : oneLine(describe(run, error), 500);
    const ended = end({ ...base, status: 'error', detail: reason });
    return { record: { step, call, activity: ended }, message: delimitToolResult(call, `Error: ${reason}`, 'error') };
  } finally {
    clearTimeout(timer);
    run.signal?.removeEventListener('abort', onStop);
  }
}

/** What people and the model read of a tool's error: only a message written for them. */
function describe(run: RunContext, error: unknown): string {
  if (error instanceof ToolError) return error.message || 'The tool failed.';
  try {
    return run.describeError?.(error) || 'The tool failed.';
  } catch {
    return 'The tool failed.';
  }
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}\n[cut: ${text.length - max} more characters]` : text);
