'use client';

import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Label, Spinner, TextInput } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { PendingLabel } from '@/components/ui/pending-label';
import { useAction } from '@/components/ui/use-action';
import type { ApiKey } from '@/lib/api-types';
import { toApiError } from '@/lib/http/client';
import type { NewKey } from '@/stores/dashboard-store';
import { useStores } from '@/stores/context';
import { keysQuery } from '@/stores/queries';
import { ConfirmAction } from '@/components/ui/confirm-action';

const scopes: { value: ApiKey['scopes'][number]; label: string }[] = [
  { value: 'agents:read', label: 'agents:read: list agents and models' },
  { value: 'agents:chat', label: 'agents:chat: chat with agents' },
  { value: 'channels:query', label: 'channels:query: ask whole channels' },
  { value: 'knowledge:read', label: 'knowledge:read: list and search knowledge bases' },
  { value: 'knowledge:write', label: 'knowledge:write: add documents' },
];

const date = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** Create keys (the secret shown once, with a copy button), see them, revoke them. */
export const ApiKeys = observer(function ApiKeys() {
  const root = useStores();
  const { dashboard } = root;
  const { data: keys, isPending, error } = useQuery(keysQuery(root));
  const [copyProblem, setCopyProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  // The secret is shown once: leaving the page forgets it.
  useEffect(() => () => dashboard.dismissSecret(), [dashboard]);

  const formRef = useRef<HTMLFormElement>(null);
  const create = useAction((input: NewKey) => dashboard.createKey(input), { onSuccess: () => formRef.current?.reset() });
  const revoke = useAction((keyId: string) => dashboard.revokeKey(keyId), { onSuccess: () => setConfirming(null) });
  const problem = copyProblem ?? revoke.error?.message ?? create.error?.message;

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const expires = String(form.get('expiresAt') ?? '');
    setCopyProblem(null);
    setCopied(false);
    revoke.reset();
    create.run({
      name: String(form.get('name') ?? ''),
      scopes: form.getAll('scopes').map(String) as ApiKey['scopes'],
      expiresAt: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
    });
  }

  async function copy(secret: string) {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopyProblem('Copying was refused by the browser; select the key and copy it by hand.');
    }
  }

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-5 overflow-y-auto px-6 py-5" data-testid="api-keys">
      <header>
        <h1 className="text-lg font-semibold">API keys</h1>
        <p className="text-sm text-gray-500">
          Keys reach your agents and channels through the Neurocache API (<code>/api/v1</code>, OpenAI-compatible). See the API docs page for examples.
        </p>
      </header>
      {problem && <Alert color="failure" data-testid="action-error">{problem}</Alert>}
      {dashboard.freshSecret && (
        <Alert color="success" data-testid="fresh-secret">
          <p className="mb-2 font-medium">Your new key. Copy it now: it will not be shown again.</p>
          <div className="flex flex-wrap items-center gap-2">
            <code className="min-w-0 flex-1 basis-full break-all sm:basis-auto rounded bg-white px-2 py-1 text-sm text-gray-900" data-testid="secret-value">
              {dashboard.freshSecret.secret}
            </code>
            <Button size="xs" onClick={() => copy(dashboard.freshSecret!.secret)} data-testid="copy-secret">
              {copied ? 'Copied' : 'Copy'}
            </Button>
            <Button size="xs" color="alternative" onClick={() => dashboard.dismissSecret()}>
              Done
            </Button>
          </div>
        </Alert>
      )}
      <form ref={formRef} onSubmit={onCreate} className="flex flex-col gap-3 rounded-lg border border-gray-200 p-4 dark:border-gray-800" data-testid="create-key-form">
        <div className="grid gap-3 md:grid-cols-2">
          <div>
            <Label htmlFor="key-name">Name</Label>
            <TextInput id="key-name" name="name" required maxLength={80} placeholder="Production backend" />
          </div>
          <div>
            <Label htmlFor="key-expires">Expires (optional)</Label>
            <TextInput id="key-expires" name="expiresAt" type="date" min={new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)} />
          </div>
        </div>
        <fieldset className="flex flex-wrap gap-4">
          <legend className="mb-1 text-sm font-medium">Scopes</legend>
          {scopes.map((scope) => (
            <div key={scope.value} className="flex items-center gap-2">
              <Checkbox id={`scope-${scope.value}`} name="scopes" value={scope.value} defaultChecked />
              <Label htmlFor={`scope-${scope.value}`} className="font-normal">{scope.label}</Label>
            </div>
          ))}
        </fieldset>
        <Button type="submit" size="sm" className="self-start" disabled={create.pending} data-testid="create-key">
          <PendingLabel pending={create.pending} idle="Create key" busy="Creating…" />
        </Button>
      </form>
      {isPending && <Spinner aria-label="Loading keys" />}
      {error && <p className="text-sm text-red-500">Could not load keys: {toApiError(error).message}</p>}
      {keys && keys.length === 0 && <p className="text-sm text-gray-500">No keys yet.</p>}
      {keys && keys.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[40rem] text-sm" data-testid="key-list">
            <thead className="text-left text-xs text-gray-500">
              <tr>
                <th className="py-1 font-medium">Name</th>
                <th className="py-1 font-medium">Key</th>
                <th className="py-1 font-medium">Scopes</th>
                <th className="py-1 font-medium">Created</th>
                <th className="py-1 font-medium">Last used</th>
                <th className="py-1 font-medium">Expires</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id} className="border-t border-gray-100 dark:border-gray-800" data-testid="key-row">
                  <td className="py-1.5">{key.name}</td>
                  <td className="py-1.5 font-mono text-xs">{key.partial}</td>
                  <td className="py-1.5 text-xs">{key.scopes.join(', ')}</td>
                  <td className="py-1.5 text-xs">{date(key.createdAt)}</td>
                  <td className="py-1.5 text-xs">{date(key.lastUsedAt)}</td>
                  <td className="py-1.5 text-xs">{key.expiresAt ? date(key.expiresAt) : 'never'}</td>
                  <td className="py-1.5 text-right text-xs">
                    <ConfirmAction
                      confirming={confirming === key.id}
                      onAsk={() => setConfirming(key.id)}
                      onCancel={() => setConfirming(null)}
                      onConfirm={() => revoke.run(key.id)}
                      pending={revoke.pending && revoke.variables === key.id}
                      busy={revoke.pending}
                      label="Revoke"
                      confirmLabel="Revoke now"
                      pendingLabel="Revoking…"
                      testIds={{ ask: 'revoke-key', confirm: 'confirm-revoke' }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
});
