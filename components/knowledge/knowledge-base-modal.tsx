'use client';

import { Alert, Button, Label, Modal, ModalBody, ModalFooter, ModalHeader, Textarea, TextInput } from 'flowbite-react';
import type { FormEvent } from 'react';
import { PendingLabel } from '@/components/ui/pending-label';
import { useAction } from '@/components/ui/use-action';
import type { KnowledgeBase } from '@/lib/api-types';
import { useStores } from '@/stores/context';
import type { KnowledgeBaseInput } from '@/stores/knowledge-store';

type Props = { onClose: () => void; onSaved?: (knowledgeBase: KnowledgeBase) => void; knowledgeBase?: KnowledgeBase };

/** The 400's field errors, whichever shape a field's entry has (one sentence or a list). */
export function fieldErrors(details: unknown): Record<string, string> {
  if (!details || typeof details !== 'object') return {};
  return Object.fromEntries(
    Object.entries(details as Record<string, unknown>).map(([field, value]) => [field, Array.isArray(value) ? value.join(' ') : String(value)]),
  );
}

/** Create a knowledge base, or rename one and change its description. */
export function KnowledgeBaseModal({ onClose, onSaved, knowledgeBase }: Props) {
  const { knowledge } = useStores();
  const save = useAction((input: KnowledgeBaseInput) => (knowledgeBase ? knowledge.update(knowledgeBase.id, input) : knowledge.create(input)), {
    onSuccess: (saved) => {
      onSaved?.(saved);
      onClose();
    },
  });
  const errors = fieldErrors(save.error?.details);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.run({ name: String(form.get('name') ?? ''), description: String(form.get('description') ?? '') });
  }

  const hint = (field: string) =>
    errors[field] && (
      <p className="mt-1 text-xs text-red-600 dark:text-red-400" data-testid={`kb-error-${field}`}>
        {errors[field]}
      </p>
    );

  return (
    <Modal show onClose={onClose} size="md" dismissible>
      <form onSubmit={onSubmit} data-testid="knowledge-base-form" noValidate>
        <ModalHeader>{knowledgeBase ? `Edit ${knowledgeBase.name}` : 'New knowledge base'}</ModalHeader>
        <ModalBody className="flex flex-col gap-4">
          {save.error && <Alert color="failure" data-testid="knowledge-base-form-error">{save.error.message}</Alert>}
          <div>
            <Label htmlFor="kb-name">Name</Label>
            <TextInput id="kb-name" name="name" maxLength={120} defaultValue={knowledgeBase?.name} placeholder="e.g. Product handbook" autoFocus color={errors.name ? 'failure' : undefined} />
            {hint('name')}
          </div>
          <div>
            <Label htmlFor="kb-description">Description (optional)</Label>
            <Textarea
              id="kb-description"
              name="description"
              rows={3}
              maxLength={2000}
              defaultValue={knowledgeBase?.description}
              placeholder="What is in it, and which questions it answers"
              color={errors.description ? 'failure' : undefined}
            />
            {hint('description')}
          </div>
        </ModalBody>
        <ModalFooter>
          <Button type="submit" disabled={save.pending} data-testid="knowledge-base-save">
            <PendingLabel pending={save.pending} idle={knowledgeBase ? 'Save' : 'Create'} busy={knowledgeBase ? 'Saving…' : 'Creating…'} />
          </Button>
          <Button color="alternative" onClick={onClose}>
            Cancel
          </Button>
        </ModalFooter>
      </form>
    </Modal>
  );
}
