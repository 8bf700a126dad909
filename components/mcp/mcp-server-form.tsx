'use client';

import { Alert, Button, Label, TextInput } from 'flowbite-react';
import { useRef, useState, type FormEvent } from 'react';
import { fieldErrors } from '@/components/knowledge/knowledge-base-modal';
import { PendingLabel } from '@/components/ui/pending-label';
import { useAction } from '@/components/ui/use-action';
import type { McpServerInput } from '@/stores/mcp-store';
import { useMcpStore } from './use-mcp-store';

type HeaderRow = { key: number; name: string; value: string };

let nextKey = 1;
const emptyRow = (): HeaderRow => ({ key: nextKey++, name: '', value: '' });

/** Add a Streamable HTTP server: name, URL, and header rows (usually one Authorization token). */
export function McpServerForm() {
  const store = useMcpStore();
  const formRef = useRef<HTMLFormElement>(null);
  const [rows, setRows] = useState<HeaderRow[]>([]);
  const create = useAction((input: McpServerInput) => store.create(input), {
    onSuccess: () => {
      formRef.current?.reset();
      setRows([]);
    },
  });
  const errors = fieldErrors(create.error?.details);
  const general = create.error && !errors.name && !errors.url && !errors.headers ? create.error.message : undefined;

  const setRow = (key: number, change: Partial<HeaderRow>) => setRows((current) => current.map((row) => (row.key === key ? { ...row, ...change } : row)));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const filled = rows.filter((row) => row.name.trim() || row.value.trim());
    const headers = Object.fromEntries(filled.map((row) => [row.name.trim(), row.value]));
    create.run({ name: String(form.get('name') ?? ''), url: String(form.get('url') ?? ''), ...(filled.length > 0 ? { headers } : {}) });
  }

  const hint = (field: string) =>
    errors[field] && (
      <p className="mt-1 text-xs text-red-600 dark:text-red-400" data-testid={`mcp-error-${field}`}>
        {errors[field]}
      </p>
    );

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="flex flex-col gap-3 rounded-lg border border-gray-200 p-3 sm:p-4 dark:border-gray-800" data-testid="mcp-server-form">
      <h2 className="text-sm font-semibold">Add a server</h2>
      {general && <Alert color="failure" data-testid="mcp-server-form-error">{general}</Alert>}
      <div className="grid gap-3 md:grid-cols-[minmax(0,14rem)_minmax(0,1fr)]">
        <div className="min-w-0">
          <Label htmlFor="mcp-name">Name</Label>
          <TextInput id="mcp-name" name="name" maxLength={80} placeholder="e.g. GitHub" color={errors.name ? 'failure' : undefined} />
          {hint('name')}
        </div>
        <div className="min-w-0">
          <Label htmlFor="mcp-url">URL (Streamable HTTP)</Label>
          <TextInput id="mcp-url" name="url" type="url" inputMode="url" maxLength={2000} placeholder="https://mcp.example.com/mcp" color={errors.url ? 'failure' : undefined} />
          {hint('url')}
        </div>
      </div>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Headers (optional)</legend>
        <p className="text-xs text-gray-500 dark:text-gray-400">Sent with every request to the server, e.g. Authorization: Bearer …. Values are encrypted on the hub and never shown again.</p>
        {rows.map((row, index) => (
          <div key={row.key} className="flex flex-wrap items-center gap-2 sm:flex-nowrap" data-testid="mcp-header-row">
            <TextInput
              aria-label={`Header ${index + 1} name`}
              className="min-w-0 flex-1 basis-36 sm:flex-none sm:basis-48"
              value={row.name}
              onChange={(event) => setRow(row.key, { name: event.target.value })}
              placeholder="Authorization"
              autoComplete="off"
              spellCheck={false}
              maxLength={100}
            />
            <TextInput
              aria-label={`Header ${index + 1} value`}
              className="min-w-0 flex-1 basis-48"
              type="password"
              value={row.value}
              onChange={(event) => setRow(row.key, { value: event.target.value })}
              placeholder="Bearer …"
              autoComplete="new-password"
              spellCheck={false}
            />
            <button type="button" className="text-sm text-gray-500 hover:text-red-600 hover:underline dark:text-gray-400" onClick={() => setRows((current) => current.filter((item) => item.key !== row.key))} aria-label={`Remove header ${index + 1}`}>
              Remove
            </button>
          </div>
        ))}
        {hint('headers')}
        <button type="button" className="self-start text-sm text-sky-700 hover:underline dark:text-sky-400" onClick={() => setRows((current) => [...current, emptyRow()])} data-testid="mcp-add-header">
          + Add a header
        </button>
      </fieldset>
      <Button type="submit" size="sm" className="self-start" disabled={create.pending} data-testid="mcp-server-save">
        <PendingLabel pending={create.pending} idle="Add server" busy="Checking and adding…" />
      </Button>
    </form>
  );
}
