'use client';

import { Alert, Button, Label, Modal, ModalBody, ModalFooter, ModalHeader, Textarea, TextInput } from 'flowbite-react';
import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { PendingLabel } from '@/components/ui/pending-label';
import { useAction } from '@/components/ui/use-action';
import { useStores } from '@/stores/context';

export function CreateChannelModal({ show, onClose }: { show: boolean; onClose: () => void }) {
  const { channels } = useStores();
  const router = useRouter();
  const create = useAction((input: { name: string; description: string }) => channels.create(input), {
    onSuccess: (channel) => {
      onClose();
      router.push(`/hub/channels/${channel.id}`);
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.run({ name: String(form.get('name') ?? ''), description: String(form.get('description') ?? '') });
  }

  return (
    <Modal show={show} onClose={onClose} size="md" dismissible>
      <form onSubmit={onSubmit} data-testid="create-channel-form">
        <ModalHeader>Create a channel</ModalHeader>
        <ModalBody className="flex flex-col gap-4">
          {create.error && <Alert color="failure" data-testid="create-channel-error">{create.error.message}</Alert>}
          <div>
            <Label htmlFor="channel-name">Name</Label>
            <TextInput id="channel-name" name="name" required maxLength={80} placeholder="e.g. launch-plan" autoFocus />
          </div>
          <div>
            <Label htmlFor="channel-description">Goal (description)</Label>
            <Textarea id="channel-description" name="description" rows={3} maxLength={1000} placeholder="What is this channel working towards?" />
          </div>
        </ModalBody>
        <ModalFooter>
          <Button type="submit" disabled={create.pending}>
            <PendingLabel pending={create.pending} idle="Create" busy="Creating…" />
          </Button>
          <Button color="alternative" onClick={onClose}>Cancel</Button>
        </ModalFooter>
      </form>
    </Modal>
  );
}
