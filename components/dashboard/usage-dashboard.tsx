'use client';

import { useQuery } from '@tanstack/react-query';
import { Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import type { UsageSummary } from '@/lib/api-types';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import type { UsageRange } from '@/lib/api-types';
import { usageQuery } from '@/stores/queries';
import { BarChart } from './bar-chart';

const ranges: { value: UsageRange; label: string }[] = [
  { value: '24h', label: '24 hours' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
];

function bucketLabel(iso: string, range: UsageRange) {
  const date = new Date(iso);
  return range === '24h' ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : date.toLocaleString([], { month: 'short', day: 'numeric', hour: range === '7d' ? '2-digit' : undefined });
}

function Table({ title, rows, testId }: { title: string; rows: { id: string; name: string; detail?: string; totals: UsageSummary['totals'] }[]; testId: string }) {
  return (
    <section className="rounded-lg border border-gray-200 dark:border-gray-800" data-testid={testId}>
      <h2 className="border-b border-gray-200 px-3 py-2 text-sm font-semibold dark:border-gray-800">{title}</h2>
      {rows.length === 0 ? (
        <p className="px-3 py-4 text-sm text-gray-500">Nothing in this period.</p>
      ) : (
        <table className="w-full text-sm">
          <thead className="text-left text-xs text-gray-500">
            <tr>
              <th className="px-3 py-1 font-medium">Name</th>
              <th className="px-3 py-1 text-right font-medium">Requests</th>
              <th className="px-3 py-1 text-right font-medium">Tokens in / out</th>
              <th className="px-3 py-1 text-right font-medium">Avg latency</th>
              <th className="px-3 py-1 text-right font-medium">Errors</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} className="border-t border-gray-100 dark:border-gray-800" data-testid="usage-row">
                <td className="px-3 py-1.5">
                  {row.name} {row.detail && <span className="text-xs text-gray-500">{row.detail}</span>}
                </td>
                <td className="px-3 py-1.5 text-right tabular-nums">{row.totals.requests.toLocaleString()}</td>
                <td className="px-3 py-1.5 text-right tabular-nums">
                  {row.totals.promptTokens.toLocaleString()} / {row.totals.completionTokens.toLocaleString()}
                </td>
                <td className="px-3 py-1.5 text-right tabular-nums">{row.totals.avgLatencyMs.toLocaleString()} ms</td>
                <td className="px-3 py-1.5 text-right tabular-nums">{row.totals.errors}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One budget line: used against the limit, as a bar (a plain count when unlimited). */
function BudgetMeter({ label, used, limit, testId }: { label: string; used: number; limit: number | null; testId: string }) {
  const share = limit ? Math.min(1, used / limit) : 0;
  const tone = share >= 1 ? 'bg-red-500' : share >= 0.8 ? 'bg-amber-500' : 'bg-sky-500';
  return (
    <div data-testid={testId}>
      <div className="mb-1 flex justify-between text-xs">
        <span className="text-gray-500">{label}</span>
        <span className="tabular-nums" data-testid={`${testId}-value`}>
          {used.toLocaleString()} / {limit ? limit.toLocaleString() : 'unlimited'}
        </span>
      </div>
      {limit ? (
        <div className="h-2 overflow-hidden rounded-full bg-gray-200 dark:bg-gray-800" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={Math.min(used, limit)}>
          <div className={`h-full ${tone}`} style={{ width: `${share * 100}%` }} />
        </div>
      ) : null}
    </div>
  );
}

/** Today's model budget (UTC day): what is left before agents stop answering for you until it resets. */
function BudgetPanel({ budget }: { budget: UsageSummary['budget'] }) {
  const spent = [budget.calls, budget.tokens].some((b) => b.limit !== null && b.used >= b.limit);
  const resets = new Date(budget.resetsAt);
  return (
    <section className="rounded-lg border border-gray-200 p-3 dark:border-gray-800" data-testid="usage-budget">
      <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-sm font-semibold">Today&apos;s model budget</h2>
        <span className="text-xs text-gray-500">
          resets {resets.toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })} (00:00 UTC)
        </span>
      </div>
      <div className="grid gap-3 md:grid-cols-2">
        <BudgetMeter label="Model calls" used={budget.calls.used} limit={budget.calls.limit} testId="budget-calls" />
        <BudgetMeter label="Tokens" used={budget.tokens.used} limit={budget.tokens.limit} testId="budget-tokens" />
      </div>
      {spent && (
        <p className="mt-2 text-xs text-red-600 dark:text-red-400" role="alert">
          Used up: agents answer you again, in channels and through the API, after it resets.
        </p>
      )}
    </section>
  );
}

/** Requests, tokens and latency over time, per agent and per key, and today's budget; it moves live as calls are made. */
export const UsageDashboard = observer(function UsageDashboard() {
  const root = useStores();
  const { dashboard } = root;
  const range = dashboard.range;
  const { data, isPending, error } = useQuery(usageQuery(root, range));

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto px-6 py-5" data-testid="usage-dashboard">
      <header className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-lg font-semibold">Usage</h1>
          <p className="text-sm text-gray-500">Every model call you pay for: your messages in channels (whoever owns the agents) and your API keys. Live: it updates as calls happen.</p>
        </div>
        <div className="flex rounded-lg border border-gray-300 text-sm dark:border-gray-700" role="group" aria-label="Period">
          {ranges.map((r) => (
            <button
              key={r.value}
              type="button"
              data-testid={`range-${r.value}`}
              aria-pressed={range === r.value}
              onClick={() => dashboard.setRange(r.value)}
              className={`px-3 py-1 first:rounded-l-lg last:rounded-r-lg ${range === r.value ? 'bg-sky-600 text-white' : 'hover:bg-gray-100 dark:hover:bg-gray-800'}`}
            >
              {r.label}
            </button>
          ))}
        </div>
      </header>
      {isPending && <Spinner aria-label="Loading usage" />}
      {error && <p className="text-sm text-red-500" role="alert">Could not load usage: {toApiError(error).message}</p>}
      {data && (
        <>
          <BudgetPanel budget={data.budget} />
          <dl className="grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="usage-totals">
            {[
              ['Requests', data.totals.requests.toLocaleString(), 'total-requests'],
              ['Prompt tokens', data.totals.promptTokens.toLocaleString(), 'total-prompt'],
              ['Completion tokens', data.totals.completionTokens.toLocaleString(), 'total-completion'],
              ['Avg latency', `${data.totals.avgLatencyMs.toLocaleString()} ms`, 'total-latency'],
            ].map(([label, value, id]) => (
              <div key={id} className="rounded-lg border border-gray-200 p-3 dark:border-gray-800">
                <dt className="text-xs text-gray-500">{label}</dt>
                <dd className="text-xl font-semibold tabular-nums" data-testid={id}>{value}</dd>
              </div>
            ))}
          </dl>
          <div className="grid gap-3 lg:grid-cols-3">
            <BarChart testId="chart-requests" label="Requests" points={data.series.map((p) => ({ label: bucketLabel(p.start, range), value: p.requests }))} />
            <BarChart label="Tokens (prompt + completion)" color="fill-violet-500" points={data.series.map((p) => ({ label: bucketLabel(p.start, range), value: p.promptTokens + p.completionTokens }))} />
            <BarChart label="Average latency" color="fill-amber-500" format={(n) => `${n.toLocaleString()} ms`} points={data.series.map((p) => ({ label: bucketLabel(p.start, range), value: p.avgLatencyMs }))} />
          </div>
          <div className="grid gap-3 lg:grid-cols-2">
            <Table testId="usage-by-agent" title="By agent" rows={data.byAgent.map((row) => ({ id: row.agentId ?? 'none', name: row.name, totals: row }))} />
            <Table testId="usage-by-key" title="By API key" rows={data.byKey.map((row) => ({ id: row.keyId, name: row.name, detail: row.partial, totals: row }))} />
          </div>
        </>
      )}
    </div>
  );
});
