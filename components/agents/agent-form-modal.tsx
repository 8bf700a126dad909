'use client';

import { Alert, Button, Label, Modal, ModalBody, ModalHeader, Textarea, TextInput } from 'flowbite-react';
import { useState, type FormEvent } from 'react';
import { PendingLabel } from '@/components/ui/pending-label';
import { useAction } from '@/components/ui/use-action';
import type { Agent } from '@/lib/api-types';
import { useStores } from '@/stores/context';
import type { AgentInput } from '@/stores/agent-store';

type Props = { show: boolean; onClose: () => void; agent?: Agent };

const suggestHandle = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32);

/** Create or edit an agent; field errors from the API show under their fields. */
export function AgentFormModal({ show, onClose, agent }: Props) {
  const { agents } = useStores();
  const [handle, setHandle] = useState(agent?.handle ?? '');
  const [handleTouched, setHandleTouched] = useState(Boolean(agent));
  const save = useAction((input: AgentInput) => (agent ? agents.update(agent.id, input) : agents.create(input)), { onSuccess: onClose });
  const fieldErrors = (save.error?.details && typeof save.error.details === 'object' ? save.error.details : {}) as Record<string, string>;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.run({
      name: String(form.get('name') ?? ''),
      handle,
      description: String(form.get('description') ?? ''),
      instructions: String(form.get('instructions') ?? ''),
      model: String(form.get('model') ?? ''),
      temperature: Number(form.get('temperature')),
      avatar: String(form.get('avatar') ?? '').trim() || null,
    });
  }

  const hint = (field: string) => fieldErrors[field] && <p className="mt-1 text-xs text-red-500">{fieldErrors[field]}</p>;

  return (
    <Modal show={show} onClose={onClose} size="xl" dismissible>
      <ModalHeader>{agent ? `Edit ${agent.name}` : 'New agent'}</ModalHeader>
      <ModalBody>
        <form onSubmit={onSubmit} className="flex flex-col gap-3" data-testid="agent-form">
          {save.error && <Alert color="failure" data-testid="agent-form-error">{save.error.message}</Alert>}
          <div className="grid gap-3 sm:grid-cols-2">
            <div>
              <Label htmlFor="agent-name">Name</Label>
              <TextInput
                id="agent-name"
                name="name"
                required
                maxLength={80}
                defaultValue={agent?.name}
                placeholder="Researcher"
                onChange={(e) => !handleTouched && setHandle(suggestHandle(e.target.value))}
              />
              {hint('name')}
            </div>
            <div>
              <Label htmlFor="agent-handle">Handle (for @mentions)</Label>
              <TextInput
                id="agent-handle"
                name="handle"
                required
                addon="@"
                value={handle}
                pattern="[a-z0-9\-]{2,32}"
                title="2 to 32 lowercase letters, digits or hyphens"
                onChange={(e) => {
                  setHandleTouched(true);
                  setHandle(e.target.value.toLowerCase());
                }}
              />
              {hint('handle')}
            </div>
          </div>
          <div>
            <Label htmlFor="agent-description">Specialization (what it is good at; the orchestrator routes by this)</Label>
            <TextInput id="agent-description" name="description" maxLength={1000} defaultValue={agent?.description} placeholder="Finds sources and cites them" />
            {hint('description')}
          </div>
          <div>
            <Label htmlFor="agent-instructions">Instructions</Label>
            <Textarea id="agent-instructions" name="instructions" rows={6} maxLength={16000} defaultValue={agent?.instructions} placeholder="You are a meticulous researcher. Always cite your sources." />
            {hint('instructions')}
          </div>
          <div className="grid gap-3 sm:grid-cols-3">
            <div>
              <Label htmlFor="agent-model">Model</Label>
              <TextInput id="agent-model" name="model" required maxLength={100} defaultValue={agent?.model ?? 'gpt-4o-mini'} />
              {hint('model')}
            </div>
            <div>
              <Label htmlFor="agent-temperature">Temperature</Label>
              <TextInput id="agent-temperature" name="temperature" type="number" min={0} max={2} step={0.1} required defaultValue={agent?.temperature ?? 0.7} />
              {hint('temperature')}
            </div>
            <div>
              <Label htmlFor="agent-avatar">Avatar URL (optional)</Label>
              <TextInput id="agent-avatar" name="avatar" type="url" maxLength={500} defaultValue={agent?.avatar ?? ''} placeholder="https://…" />
              {hint('avatar')}
            </div>
          </div>
          <Button type="submit" disabled={save.pending} className="self-start" data-testid="agent-save">
            <PendingLabel pending={save.pending} idle={agent ? 'Save changes' : 'Create agent'} busy={agent ? 'Saving…' : 'Creating…'} />
          </Button>
        </form>
      </ModalBody>
    </Modal>
  );
}
