'use client';

import { Alert, Button, Label, Modal, ModalBody, ModalFooter, ModalHeader, Textarea, TextInput } from 'flowbite-react';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';

export function CreateChannelModal({ show, onClose }: { show: boolean; onClose: () => void }) {
  const { channels } = useStores();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const channel = await channels.create({ name: String(form.get('name') ?? ''), description: String(form.get('description') ?? '') });
      onClose();
      router.push(`/hub/channels/${channel.id}`);
    } catch (err) {
      setError(toApiError(err).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal show={show} onClose={onClose} size="md" dismissible>
      <form onSubmit={onSubmit} data-testid="create-channel-form">
        <ModalHeader>Create a channel</ModalHeader>
        <ModalBody className="flex flex-col gap-4">
          {error && <Alert color="failure">{error}</Alert>}
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
          <Button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create'}</Button>
          <Button color="alternative" onClick={onClose}>Cancel</Button>
        </ModalFooter>
      </form>
    </Modal>
  );
}
