'use client';

import { useQuery } from '@tanstack/react-query';
import { Alert, Modal, ModalBody, ModalHeader, Spinner, TextInput } from 'flowbite-react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { useAction } from '@/components/ui/use-action';
import { useStores } from '@/stores/context';
import { queryKeys } from '@/stores/query-keys';

type Target = { userId: string } | { agentId: string };

/** "New message": a person from your channels or an agent (yours, or one in your channels) to DM. */
export function NewMessageModal({ show, onClose }: { show: boolean; onClose: () => void }) {
  const { channels } = useStores();
  const router = useRouter();
  const [filter, setFilter] = useState('');
  const contacts = useQuery({ queryKey: queryKeys.dmContacts, queryFn: () => channels.dmContacts(), enabled: show });
  const open = useAction((target: Target) => channels.openDm(target), {
    onSuccess: (channel) => {
      onClose();
      router.push(`/hub/channels/${channel.id}`);
    },
  });
  const matches = (name: string) => name.toLowerCase().includes(filter.trim().toLowerCase());
  const people = contacts.data?.people.filter((p) => matches(p.name)) ?? [];
  const agents = contacts.data?.agents.filter((a) => matches(a.name) || matches(a.handle)) ?? [];
  const row = 'flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm hover:bg-gray-100 disabled:opacity-60 dark:hover:bg-gray-700';

  return (
    <Modal show={show} onClose={onClose} size="md" dismissible>
      <ModalHeader>New message</ModalHeader>
      <ModalBody className="flex flex-col gap-3" data-testid="new-message-modal">
        {open.error && <Alert color="failure">{open.error.message}</Alert>}
        <TextInput aria-label="Find a person or agent" placeholder="Find a person or agent" value={filter} onChange={(e) => setFilter(e.target.value)} autoFocus />
        {contacts.isPending && <Spinner size="sm" aria-label="Loading people and agents" />}
        {contacts.isError && <Alert color="failure">Could not load people and agents.</Alert>}
        {contacts.data && (
          <div className="flex max-h-80 flex-col gap-3 overflow-y-auto">
            <section aria-label="People">
              <h3 className="px-2 text-xs font-semibold uppercase tracking-wide text-gray-500">People in your channels</h3>
              {people.length === 0 && <p className="px-2 py-1 text-sm text-gray-500">Nobody yet: invite people to a channel first.</p>}
              {people.map((p) => (
                <button key={p.id} type="button" data-testid="dm-person" className={row} disabled={open.pending} onClick={() => open.run({ userId: p.id })}>
                  <Avatar id={p.id} name={p.name} size="sm" /> {p.name}
                </button>
              ))}
            </section>
            <section aria-label="Agents">
              <h3 className="px-2 text-xs font-semibold uppercase tracking-wide text-gray-500">Agents</h3>
              {agents.length === 0 && <p className="px-2 py-1 text-sm text-gray-500">No agents yet.</p>}
              {agents.map((a) => (
                <button key={a.id} type="button" data-testid="dm-agent" className={row} disabled={open.pending} onClick={() => open.run({ agentId: a.id })}>
                  <Avatar id={a.id} name={a.name} size="sm" agent src={a.avatar} /> {a.name}
                  <span className="text-xs text-gray-500">@{a.handle}{a.mine ? '' : ' · not yours'}</span>
                </button>
              ))}
            </section>
          </div>
        )}
      </ModalBody>
    </Modal>
  );
}
