'use client';

import { useQuery } from '@tanstack/react-query';
import { Alert, Badge, Button, Label, Modal, ModalBody, ModalHeader, Select, Textarea, TextInput } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { PendingLabel } from '@/components/ui/pending-label';
import { useAction } from '@/components/ui/use-action';
import type { Agent, Channel, Member } from '@/lib/api-types';
import type { ApiError } from '@/lib/http/client';
import type { ChannelStore } from '@/stores/channel-store';
import { useStores } from '@/stores/context';
import { agentsQuery } from '@/stores/queries';
import { queryKeys } from '@/stores/query-keys';

type Props = { show: boolean; onClose: () => void; channel: Channel; members: Member[] };
type ChannelChanges = Parameters<ChannelStore['update']>[1];

export const ChannelSettingsModal = observer(function ChannelSettingsModal({ show, onClose, channel, members }: Props) {
  const root = useStores();
  const { channels, user, agents } = root;
  const roster = useQuery({ ...agentsQuery(root), enabled: show });
  const channelAgents = members.filter((m) => m.kind === 'agent');
  const addable = (roster.data ?? []).filter((agent) => !channelAgents.some((m) => m.id === agent.id));
  const router = useRouter();
  const [feedback, setFeedback] = useState<{ color: 'success' | 'failure'; text: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const inviteForm = useRef<HTMLFormElement>(null);
  const me = user.user?.id;
  const isOwner = channel.ownerId === me;
  // A direct message stays a conversation of its two: no renaming, inviting, removing or leaving.
  const dm = channel.kind === 'dm';
  const invitations = useQuery({ queryKey: queryKeys.invitations(channel.id), queryFn: () => channels.invitations(channel.id), enabled: show && isOwner && !dm });

  // Every action reports into the one banner: what it did, or why it failed.
  const done = (text: string) => setFeedback({ color: 'success', text });
  const failed = (error: ApiError) => setFeedback({ color: 'failure', text: error.message });
  const saveDetails = useAction((input: ChannelChanges) => channels.update(channel.id, input), { onSuccess: () => done('Saved.'), onError: failed });
  const saveAnswers = useAction((input: ChannelChanges) => channels.update(channel.id, input), { onSuccess: () => done('Saved.'), onError: failed });
  const invite = useAction((email: string) => channels.invite(channel.id, email), {
    onSuccess: (result, email) => {
      inviteForm.current?.reset();
      done('invitation' in result ? `Invited ${email}. They'll join when they sign up with this email.` : `Invited ${email}.`);
    },
    onError: failed,
  });
  const addAgent = useAction((agent: Agent) => agents.addToChannel(channel.id, agent.id), { onSuccess: (_m, agent) => done(`@${agent.handle} joined #${channel.name}.`), onError: failed });
  const revoke = useAction((invitationId: string) => channels.revokeInvitation(channel.id, invitationId), { onSuccess: () => done('Invitation revoked.'), onError: failed });
  const removeMember = useAction((member: Member) => channels.removeMember(channel.id, member.id), { onSuccess: (_r, member) => done(`Removed ${member.name}.`), onError: failed });
  // Leaving or deleting ends this page: the channel is gone from here.
  const depart = useAction((how: 'leave' | 'delete') => (how === 'delete' ? channels.remove(channel.id) : channels.removeMember(channel.id, me!)), {
    final: true,
    onSuccess: () => {
      onClose();
      router.push('/hub');
    },
    onError: failed,
  });

  function begin<TVars>(action: { run(vars: TVars): void }, vars: TVars) {
    setFeedback(null);
    action.run(vars);
  }

  function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    begin(saveDetails, { name: String(form.get('name')), description: String(form.get('description')) });
  }

  function onInvite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    begin(invite, String(new FormData(event.currentTarget).get('email') ?? ''));
  }

  function onAddAgent(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const agentId = String(new FormData(event.currentTarget).get('agentId') ?? '');
    const agent = roster.data?.find((a) => a.id === agentId);
    if (agent) begin(addAgent, agent);
  }

  function onAnswerSettings(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const answerMode = String(form.get('answerMode')) as Channel['answerMode'];
    const leadAgentId = String(form.get('leadAgentId') ?? '') || null;
    begin(saveAnswers, { answerMode, leadAgentId, hopLimit: Number(form.get('hopLimit')) });
  }

  return (
    <Modal show={show} onClose={onClose} size="lg" dismissible>
      <ModalHeader>{dm ? `Direct message · ${channel.dmWith?.name ?? channel.name}` : `# ${channel.name}`}</ModalHeader>
      <ModalBody className="flex flex-col gap-6" data-testid="channel-settings-modal">
        {feedback && (
          <Alert color={feedback.color} data-testid={feedback.color === 'failure' ? 'settings-error' : 'settings-notice'}>
            {feedback.text}
          </Alert>
        )}

        {isOwner && !dm && (
          <form onSubmit={onSave} className="flex flex-col gap-3" data-testid="channel-edit-form">
            <div>
              <Label htmlFor="settings-name">Name</Label>
              <TextInput id="settings-name" name="name" defaultValue={channel.name} required maxLength={80} />
            </div>
            <div>
              <Label htmlFor="settings-description">Goal (description)</Label>
              <Textarea id="settings-description" name="description" defaultValue={channel.description} rows={2} maxLength={1000} />
            </div>
            <Button type="submit" size="sm" className="self-start" disabled={saveDetails.pending} data-testid="save-channel">
              <PendingLabel pending={saveDetails.pending} idle="Save changes" busy="Saving…" />
            </Button>
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
                  {member.handle && <span className="text-gray-500"> · @{member.handle}</span>}
                </span>
                {member.kind === 'agent' && <Badge color="purple" data-testid="agent-member-badge">agent</Badge>}
                {member.id === channel.leadAgentId && <Badge color="indigo">lead</Badge>}
                {member.role === 'owner' && <Badge color="info">owner</Badge>}
                {!dm && member.id !== me && (isOwner || (member.kind === 'agent' && member.ownerId === me)) && (
                  <button
                    type="button"
                    data-testid="remove-member"
                    className="text-xs text-red-600 hover:underline disabled:opacity-60"
                    disabled={removeMember.pending}
                    onClick={() => begin(removeMember, member)}
                  >
                    {removeMember.pending && removeMember.variables?.id === member.id ? 'Removing…' : 'Remove'}
                  </button>
                )}
              </li>
            ))}
          </ul>
          {!dm && (
            <>
              <form ref={inviteForm} onSubmit={onInvite} className="mt-3 flex gap-2" data-testid="invite-form">
                <TextInput name="email" type="email" placeholder="Invite by email" required className="flex-1" aria-label="Email to invite" />
                <Button type="submit" size="sm" disabled={invite.pending} data-testid="invite-submit">
                  <PendingLabel pending={invite.pending} idle="Invite" busy="Inviting…" />
                </Button>
              </form>
              <p className="mt-1 text-xs text-gray-500">No email is sent. Someone without an account yet gets a pending invitation: they&apos;ll join when they sign up with this email.</p>
              {isOwner && (invitations.data?.length ?? 0) > 0 && (
                <div className="mt-3" data-testid="invitation-list">
                  <h4 className="mb-1 text-xs font-semibold uppercase tracking-wide text-gray-500">Pending invitations</h4>
                  <ul className="flex flex-col gap-1">
                    {invitations.data!.map((invitation) => (
                      <li key={invitation.id} className="flex items-center gap-2 text-sm" data-testid="invitation">
                        <span className="flex-1 truncate">{invitation.email}</span>
                        <span className="text-xs text-gray-500">invited {new Date(invitation.createdAt).toLocaleDateString()}</span>
                        <button
                          type="button"
                          data-testid="revoke-invitation"
                          className="text-xs text-red-600 hover:underline disabled:opacity-60"
                          disabled={revoke.pending}
                          onClick={() => begin(revoke, invitation.id)}
                        >
                          {revoke.pending && revoke.variables === invitation.id ? 'Revoking…' : 'Revoke'}
                        </button>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              <form onSubmit={onAddAgent} className="mt-2 flex gap-2" data-testid="add-agent-form">
                <Select name="agentId" aria-label="Agent to add" className="flex-1" required disabled={addable.length === 0}>
                  {addable.length === 0 ? (
                    <option value="">{roster.isPending ? 'Loading your agents…' : 'No agents to add: create one on the Agents page'}</option>
                  ) : (
                    addable.map((agent) => (
                      <option key={agent.id} value={agent.id}>
                        {agent.name} (@{agent.handle})
                      </option>
                    ))
                  )}
                </Select>
                <Button type="submit" size="sm" color="purple" disabled={addable.length === 0 || addAgent.pending} data-testid="add-agent-submit">
                  <PendingLabel pending={addAgent.pending} idle="Add agent" busy="Adding…" />
                </Button>
              </form>
            </>
          )}
        </section>

        {dm && channelAgents.length > 0 && <p className="text-xs text-gray-500">{channelAgents[0]!.name} answers every message in this conversation.</p>}

        {isOwner && !dm && (
          <form onSubmit={onAnswerSettings} className="flex flex-col gap-3 border-t border-gray-200 pt-4 dark:border-gray-700" data-testid="answer-settings-form">
            <h3 className="text-sm font-semibold">Who answers</h3>
            <p className="text-xs text-gray-500">
              An agent always answers when @mentioned. For messages that mention nobody, choose who answers. Agents hand off by mentioning each other, at most
              the hop limit deep per message.
            </p>
            <div className="grid gap-2 sm:grid-cols-3">
              <div>
                <Label htmlFor="answer-mode">Unmentioned messages</Label>
                <Select id="answer-mode" name="answerMode" defaultValue={channel.answerMode}>
                  <option value="nobody">Nobody</option>
                  <option value="lead">The lead agent</option>
                  <option value="orchestrator">Best-suited agent (orchestrator)</option>
                </Select>
              </div>
              <div>
                <Label htmlFor="lead-agent">Lead agent</Label>
                <Select id="lead-agent" name="leadAgentId" defaultValue={channel.leadAgentId ?? ''}>
                  <option value="">None</option>
                  {channelAgents.map((agent) => (
                    <option key={agent.id} value={agent.id}>
                      {agent.name} (@{agent.handle})
                    </option>
                  ))}
                </Select>
              </div>
              <div>
                <Label htmlFor="hop-limit">Hop limit</Label>
                <TextInput id="hop-limit" name="hopLimit" type="number" min={1} max={10} defaultValue={channel.hopLimit} required />
              </div>
            </div>
            <Button type="submit" size="sm" className="self-start" disabled={saveAnswers.pending} data-testid="save-answers">
              <PendingLabel pending={saveAnswers.pending} idle="Save" busy="Saving…" />
            </Button>
          </form>
        )}

        <section className="border-t border-gray-200 pt-4 dark:border-gray-700">
          {isOwner ? (
            confirmDelete ? (
              <div className="flex items-center gap-2">
                <span className="text-sm">{dm ? 'Delete this conversation and all its messages?' : `Delete #${channel.name} and all its messages?`}</span>
                <Button size="xs" color="red" data-testid="confirm-delete-channel" disabled={depart.pending} onClick={() => begin(depart, 'delete')}>
                  <PendingLabel pending={depart.pending} idle="Delete" busy="Deleting…" />
                </Button>
                <Button size="xs" color="alternative" disabled={depart.pending} onClick={() => setConfirmDelete(false)}>Cancel</Button>
              </div>
            ) : (
              <Button size="xs" color="red" outline data-testid="delete-channel" onClick={() => setConfirmDelete(true)}>{dm ? 'Delete conversation' : 'Delete channel'}</Button>
            )
          ) : dm ? null : (
            <Button size="xs" color="alternative" data-testid="leave-channel" disabled={depart.pending} onClick={() => begin(depart, 'leave')}>
              <PendingLabel pending={depart.pending} idle="Leave channel" busy="Leaving…" />
            </Button>
          )}
        </section>
      </ModalBody>
    </Modal>
  );
});
