'use client';

import { Alert, Button, Label, Textarea, TextInput } from 'flowbite-react';
import { useState, type FormEvent } from 'react';
import { PendingLabel } from '@/components/ui/pending-label';
import { useAction } from '@/components/ui/use-action';
import { useStores } from '@/stores/context';
import { fieldErrors } from './knowledge-base-modal';

type Open = 'url' | 'text' | null;

const toggleClass = (active: boolean) =>
  `rounded-lg border px-3 py-1.5 text-sm ${
    active ? 'border-sky-600 bg-sky-50 text-sky-800 dark:border-sky-500 dark:bg-sky-950/40 dark:text-sky-200' : 'border-gray-300 hover:bg-gray-100 dark:border-gray-700 dark:hover:bg-gray-800'
  }`;

/** The other two ways in: a public web page the server fetches, or text pasted as is. */
export function AddSourceForms({ knowledgeBaseId }: { knowledgeBaseId: string }) {
  const [open, setOpen] = useState<Open>(null);
  const toggle = (which: Exclude<Open, null>) => setOpen((current) => (current === which ? null : which));
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap gap-2">
        <button type="button" className={toggleClass(open === 'url')} aria-expanded={open === 'url'} onClick={() => toggle('url')} data-testid="add-url-toggle">
          Add a web page
        </button>
        <button type="button" className={toggleClass(open === 'text')} aria-expanded={open === 'text'} onClick={() => toggle('text')} data-testid="add-text-toggle">
          Paste text
        </button>
      </div>
      {open === 'url' && <UrlForm knowledgeBaseId={knowledgeBaseId} onDone={() => setOpen(null)} />}
      {open === 'text' && <TextForm knowledgeBaseId={knowledgeBaseId} onDone={() => setOpen(null)} />}
    </div>
  );
}

function UrlForm({ knowledgeBaseId, onDone }: { knowledgeBaseId: string; onDone: () => void }) {
  const { knowledge } = useStores();
  const add = useAction((url: string) => knowledge.addUrl(knowledgeBaseId, url), { onSuccess: onDone });
  const errors = fieldErrors(add.error?.details);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.run(String(new FormData(event.currentTarget).get('url') ?? '').trim());
  }
  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-2 rounded-lg border border-gray-200 p-3 dark:border-gray-800" data-testid="add-url-form" noValidate>
      {add.error && <Alert color="failure" data-testid="add-url-error">{errors.url ?? add.error.message}</Alert>}
      <Label htmlFor="kb-url">Web page address</Label>
      <div className="flex flex-col gap-2 sm:flex-row">
        <TextInput id="kb-url" name="url" type="url" inputMode="url" placeholder="https://example.com/guide" className="min-w-0 flex-1" autoFocus />
        <Button type="submit" size="sm" disabled={add.pending} data-testid="add-url-submit">
          <PendingLabel pending={add.pending} idle="Add page" busy="Adding…" />
        </Button>
      </div>
      <p className="text-xs text-gray-500 dark:text-gray-400">The server fetches the page once and keeps its readable text.</p>
    </form>
  );
}

function TextForm({ knowledgeBaseId, onDone }: { knowledgeBaseId: string; onDone: () => void }) {
  const { knowledge } = useStores();
  const add = useAction((input: { title: string; text: string }) => knowledge.addText(knowledgeBaseId, input), { onSuccess: onDone });
  const errors = fieldErrors(add.error?.details);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    add.run({ title: String(form.get('title') ?? '').trim(), text: String(form.get('text') ?? '') });
  }
  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-2 rounded-lg border border-gray-200 p-3 dark:border-gray-800" data-testid="add-text-form" noValidate>
      {add.error && <Alert color="failure" data-testid="add-text-error">{add.error.message}</Alert>}
      <div>
        <Label htmlFor="kb-text-title">Title</Label>
        <TextInput id="kb-text-title" name="title" maxLength={200} placeholder="Meeting notes, 3 March" autoFocus color={errors.title ? 'failure' : undefined} />
        {errors.title && <p className="mt-1 text-xs text-red-600 dark:text-red-400">{errors.title}</p>}
      </div>
      <div>
        <Label htmlFor="kb-text-body">Text</Label>
        <Textarea id="kb-text-body" name="text" rows={6} placeholder="Paste the text here (Markdown is understood)" color={errors.text ? 'failure' : undefined} />
        {errors.text && <p className="mt-1 text-xs text-red-600 dark:text-red-400">{errors.text}</p>}
      </div>
      <Button type="submit" size="sm" className="self-start" disabled={add.pending} data-testid="add-text-submit">
        <PendingLabel pending={add.pending} idle="Add text" busy="Adding…" />
      </Button>
    </form>
  );
}
