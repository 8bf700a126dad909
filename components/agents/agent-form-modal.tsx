'use client';

import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Label, Modal, ModalBody, ModalHeader, Spinner, Textarea, TextInput } from 'flowbite-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { PendingLabel } from '@/components/ui/pending-label';
import { useAction } from '@/components/ui/use-action';
import type { Agent } from '@/lib/api-types';
import { useStores } from '@/stores/context';
import { abilitiesQuery, type AgentInput } from '@/stores/agent-store';
import { knowledgeListQuery } from '@/stores/knowledge-store';
import { mcpServersQuery } from '@/stores/mcp-store';
import type { AbilityId } from '@/lib/contracts/abilities';

type Props = { show: boolean; onClose: () => void; agent?: Agent };
/** What the form sends: the agent's fields and, once the person's bases are known, which it answers from. */

const suggestHandle = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32);

/** Create or edit an agent; field errors from the API show under their fields. */
export function AgentFormModal({ show, onClose, agent }: Props) {
  const root = useStores();
  const { agents, channels } = root;
  const router = useRouter();
  const [handle, setHandle] = useState(agent?.handle ?? '');
  const [handleTouched, setHandleTouched] = useState(Boolean(agent));
  const knowledgeList = useQuery(knowledgeListQuery(root));
  const [knowledgeBaseIds, setKnowledgeBaseIds] = useState<string[]>(() => agent?.knowledgeBaseIds ?? []);
  const abilityList = useQuery(abilitiesQuery(root));
  const [abilities, setAbilities] = useState<AbilityId[]>(() => agent?.abilities ?? []);
  const mcpList = useQuery(mcpServersQuery(root.mcp));
  const [mcpServerIds, setMcpServerIds] = useState<string[]>(() => agent?.mcpServerIds ?? []);
  const ownServers = mcpList.data?.filter((server) => server.source === 'user');
  const deploymentServers = mcpList.data?.filter((server) => server.source === 'deployment') ?? [];
  // "Save and test" saves, then opens the DM with the agent: the quickest way to try it while building it.
  const save = useAction(
    async ({ input, test }: { input: AgentInput; test: boolean }) => {
      const saved = agent ? await agents.update(agent.id, input) : await agents.create(input);
      return test ? (await channels.openDm({ agentId: saved.id })).id : undefined;
    },
    {
      onSuccess: (dmId) => {
        onClose();
        if (dmId) router.push(`/hub/channels/${dmId}`);
      },
    },
  );
  const fieldErrors = (save.error?.details && typeof save.error.details === 'object' ? save.error.details : {}) as Record<string, string>;
  const bases = knowledgeList.data?.knowledgeBases;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input: AgentInput = {
      name: String(form.get('name') ?? ''),
      handle,
      description: String(form.get('description') ?? ''),
      instructions: String(form.get('instructions') ?? ''),
      model: String(form.get('model') ?? ''),
      temperature: Number(form.get('temperature')),
      avatar: String(form.get('avatar') ?? '').trim() || null,
    };
    // Sent only once the bases are listed: a save before that must not take the agent's away.
    if (bases) input.knowledgeBaseIds = knowledgeBaseIds.filter((id) => bases.some((kb) => kb.id === id));
    if (abilityList.data) input.abilities = abilities;
    if (ownServers) input.mcpServerIds = mcpServerIds.filter((id) => ownServers.some((server) => server.id === id));
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLElement | null;
    save.run({ input, test: submitter?.dataset.test === 'true' });
  }

  const toggle = <T extends string>(list: T[], id: T, checked: boolean) => (checked ? [...new Set([...list, id])] : list.filter((other) => other !== id));
  const toggleAbility = (id: AbilityId, checked: boolean) => setAbilities((ids) => toggle(ids, id, checked));
  // Giving a base or a server is giving the ability that uses it.
  const toggleBase = (id: string, checked: boolean) => {
    setKnowledgeBaseIds((ids) => toggle(ids, id, checked));
    if (checked) toggleAbility('knowledge', true);
  };
  const toggleServer = (id: string, checked: boolean) => {
    setMcpServerIds((ids) => toggle(ids, id, checked));
    if (checked) toggleAbility('mcp', true);
  };

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
          <fieldset className="flex flex-col gap-1.5" data-testid="agent-knowledge">
            <legend className="mb-1 text-sm font-medium">Knowledge (the agent answers from these and cites them)</legend>
            {knowledgeList.isPending && <Spinner size="sm" aria-label="Loading knowledge bases" />}
            {knowledgeList.error && <p className="text-xs text-red-600 dark:text-red-400">Could not load your knowledge bases: {knowledgeList.error.message}</p>}
            {bases?.length === 0 && (
              <p className="text-sm text-gray-500 dark:text-gray-400" data-testid="agent-knowledge-empty">
                No knowledge bases yet.{' '}
                <Link href="/hub/knowledge" className="text-sky-700 hover:underline dark:text-sky-400">
                  Create one and upload documents
                </Link>
                , then give it to this agent.
              </p>
            )}
            {bases && bases.length > 0 && (
              <div className="flex max-h-40 flex-col gap-1.5 overflow-y-auto">
                {bases.map((kb) => (
                  <div key={kb.id} className="flex items-center gap-2">
                    <Checkbox
                      id={`agent-kb-${kb.id}`}
                      checked={knowledgeBaseIds.includes(kb.id)}
                      onChange={(event) => toggleBase(kb.id, event.target.checked)}
                      data-testid="agent-knowledge-option"
                    />
                    <Label htmlFor={`agent-kb-${kb.id}`} className="min-w-0 truncate font-normal">
                      {kb.name} <span className="text-xs text-gray-500 dark:text-gray-400">· {kb.documentCount === 1 ? '1 document' : `${kb.documentCount} documents`}</span>
                    </Label>
                  </div>
                ))}
              </div>
            )}
            {hint('knowledgeBaseIds')}
          </fieldset>
          <fieldset className="flex flex-col gap-1.5" data-testid="agent-abilities">
            <legend className="mb-1 text-sm font-medium">Abilities (tools the agent may use; its steps show in the chat)</legend>
            {abilityList.isPending && <Spinner size="sm" aria-label="Loading abilities" />}
            {abilityList.error && <p className="text-xs text-red-600 dark:text-red-400">Could not load the abilities: {abilityList.error.message}</p>}
            {abilityList.data?.map((ability) => {
              const on = abilities.includes(ability.id);
              return (
                <div key={ability.id} className="flex items-start gap-2" data-testid="agent-ability" data-ability={ability.id} data-available={ability.available}>
                  <Checkbox
                    id={`agent-ability-${ability.id}`}
                    className="mt-0.5 shrink-0"
                    checked={on}
                    // Off here and not on already: nothing to give (the reason says what it needs).
                    disabled={!ability.available && !on}
                    onChange={(event) => toggleAbility(ability.id, event.target.checked)}
                  />
                  <Label htmlFor={`agent-ability-${ability.id}`} className="min-w-0 font-normal">
                    <span className="font-medium">{ability.name}</span>
                    <span className="block text-xs text-gray-500 dark:text-gray-400">{ability.description}</span>
                    {!ability.available && ability.reason && (
                      <span className="block text-xs text-amber-700 dark:text-amber-400" data-testid="agent-ability-reason">
                        {ability.reason}
                      </span>
                    )}
                  </Label>
                </div>
              );
            })}
            {hint('abilities')}
            {abilities.includes('mcp') && (
              <div className="ml-6 flex flex-col gap-1.5" data-testid="agent-mcp-servers">
                {mcpList.isPending && <Spinner size="sm" aria-label="Loading MCP servers" />}
                {ownServers?.length === 0 && (
                  <p className="text-xs text-gray-500 dark:text-gray-400">
                    No MCP servers of yours yet.{' '}
                    <Link href="/hub/mcp" className="text-sky-700 hover:underline dark:text-sky-400">
                      Add one
                    </Link>
                    .
                  </p>
                )}
                {ownServers?.map((server) => (
                  <div key={server.id} className="flex items-center gap-2">
                    <Checkbox id={`agent-mcp-${server.id}`} checked={mcpServerIds.includes(server.id)} onChange={(event) => toggleServer(server.id, event.target.checked)} data-testid="agent-mcp-option" />
                    <Label htmlFor={`agent-mcp-${server.id}`} className="min-w-0 truncate font-normal">
                      {server.name} <span className="text-xs text-gray-500 dark:text-gray-400">· {server.url}</span>
                    </Label>
                  </div>
                ))}
                {deploymentServers.length > 0 && (
                  <p className="text-xs text-gray-500 dark:text-gray-400">Always available with MCP tools: {deploymentServers.map((server) => server.name).join(', ')} (this deployment’s own).</p>
                )}
                {hint('mcpServerIds')}
              </div>
            )}
          </fieldset>
          <div className="flex flex-wrap gap-2">
            <Button type="submit" disabled={save.pending} data-testid="agent-save">
              <PendingLabel pending={save.pending && !save.variables?.test} idle={agent ? 'Save changes' : 'Create agent'} busy={agent ? 'Saving…' : 'Creating…'} />
            </Button>
            <Button type="submit" color="alternative" disabled={save.pending} data-test="true" data-testid="agent-test" title="Save, then talk to the agent in a direct message">
              <PendingLabel pending={save.pending && Boolean(save.variables?.test)} idle={agent ? 'Save and test' : 'Create and test'} busy="Opening…" />
            </Button>
          </div>
        </form>
      </ModalBody>
    </Modal>
  );
}
