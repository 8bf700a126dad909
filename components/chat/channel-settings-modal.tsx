'use client';

import { Alert, Badge, Button, Label, Modal, ModalBody, ModalHeader, Textarea, TextInput } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Avatar } from '@/components/ui/avatar';
import type { Channel, Member } from '@/lib/api-types';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';

type Props = { show: boolean; onClose: () => void; channel: Channel; members: Member[] };

export const ChannelSettingsModal = observer(function ChannelSettingsModal({ show, onClose, channel, members }: Props) {
  const { channels, user } = useStores();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const me = user.user?.id;
  const isOwner = channel.ownerId === me;

  async function run(action: () => Promise<unknown>, success?: string) {
    setError(null);
    setNotice(null);
    try {
      await action();
      if (success) setNotice(success);
      return true;
    } catch (err) {
      setError(toApiError(err).message);
      return false;
    }
  }

  async function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await run(() => channels.update(channel.id, { name: String(form.get('name')), description: String(form.get('description')) }), 'Saved.');
  }

  async function onInvite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const email = String(new FormData(formEl).get('email') ?? '');
    if (await run(() => channels.invite(channel.id, email), `Invited ${email}.`)) formEl.reset();
  }

  async function leaveOrDelete(action: () => Promise<void>) {
    if (await run(action)) {
      onClose();
      router.push('/hub');
    }
  }

  return (
    <Modal show={show} onClose={onClose} size="lg" dismissible>
      <ModalHeader># {channel.name}</ModalHeader>
      <ModalBody className="flex flex-col gap-6" data-testid="channel-settings-modal">
        {error && <Alert color="failure" data-testid="settings-error">{error}</Alert>}
        {notice && <Alert color="success">{notice}</Alert>}

        {isOwner && (
          <form onSubmit={onSave} className="flex flex-col gap-3" data-testid="channel-edit-form">
            <div>
              <Label htmlFor="settings-name">Name</Label>
              <TextInput id="settings-name" name="name" defaultValue={channel.name} required maxLength={80} />
            </div>
            <div>
              <Label htmlFor="settings-description">Goal (description)</Label>
              <Textarea id="settings-description" name="description" defaultValue={channel.description} rows={2} maxLength={1000} />
            </div>
            <Button type="submit" size="sm" className="self-start">Save changes</Button>
          </form>
        )}

        <section>
          <h3 className="mb-2 text-sm font-semibold">Members ({members.length})</h3>
          <ul className="flex flex-col gap-2" data-testid="member-list">
            {members.map((member) => (
              <li key={member.id} className="flex items-center gap-2" data-testid="member">
                <span className="relative">
                  <Avatar id={member.id} name={member.name} size="sm" />
                  {member.kind === 'user' && (
                    <span
                      data-testid="presence-dot"
                      data-online={channels.isOnline(channel.id, member.id)}
                      title={channels.isOnline(channel.id, member.id) ? 'Online' : 'Offline'}
                      className={`absolute -bottom-0.5 -right-0.5 h-2.5 w-2.5 rounded-full border-2 border-white dark:border-gray-800 ${channels.isOnline(channel.id, member.id) ? 'bg-emerald-500' : 'bg-gray-400'}`}
                    />
                  )}
                </span>
                <span className="flex-1 truncate text-sm">
                  {member.name} {member.email && <span className="text-gray-500">· {member.email}</span>}
                </span>
                {member.kind === 'agent' && <Badge color="purple">agent</Badge>}
                {member.role === 'owner' && <Badge color="info">owner</Badge>}
                {isOwner && member.id !== me && (
                  <button type="button" data-testid="remove-member" className="text-xs text-red-600 hover:underline" onClick={() => run(() => channels.removeMember(channel.id, member.id), `Removed ${member.name}.`)}>
                    Remove
                  </button>
                )}
              </li>
            ))}
          </ul>
          <form onSubmit={onInvite} className="mt-3 flex gap-2" data-testid="invite-form">
            <TextInput name="email" type="email" placeholder="Invite by email" required className="flex-1" aria-label="Email to invite" />
            <Button type="submit" size="sm">Invite</Button>
          </form>
        </section>

        <section className="border-t border-gray-200 pt-4 dark:border-gray-700">
          {isOwner ? (
            confirmDelete ? (
              <div className="flex items-center gap-2">
                <span className="text-sm">Delete #{channel.name} and all its messages?</span>
                <Button size="xs" color="red" data-testid="confirm-delete-channel" onClick={() => leaveOrDelete(() => channels.remove(channel.id))}>Delete</Button>
                <Button size="xs" color="alternative" onClick={() => setConfirmDelete(false)}>Cancel</Button>
              </div>
            ) : (
              <Button size="xs" color="red" outline data-testid="delete-channel" onClick={() => setConfirmDelete(true)}>Delete channel</Button>
            )
          ) : (
            <Button size="xs" color="alternative" data-testid="leave-channel" onClick={() => leaveOrDelete(() => channels.removeMember(channel.id, me!))}>Leave channel</Button>
          )}
        </section>
      </ModalBody>
    </Modal>
  );
});
