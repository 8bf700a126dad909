'use client';

import { Alert, Button, HelperText, Label, Modal, ModalBody, ModalFooter, ModalHeader, Textarea, TextInput } from 'flowbite-react';
import { useId, useState, type FormEvent } from 'react';
import { fieldErrors } from '@/components/knowledge/knowledge-base-modal';
import { PendingLabel } from '@/components/ui/pending-label';
import { useAction } from '@/components/ui/use-action';
import type { RunBudget } from '@/lib/contracts/runs';
import { useStores } from '@/stores/context';
import type { RunInput } from '@/stores/run-store';

/** The longest goal the server takes (lib/teams/schemas.ts). */
export const MAX_GOAL_CHARS = 2000;

/**
 * The budget a run gets when its starter gives none: the hub's defaults (RUN_DEFAULT_STEPS,
 * RUN_DEFAULT_TOKENS, RUN_DEFAULT_SECONDS in lib/env.ts), shown as placeholders. A deployment that
 * sets others still applies its own; the run's checklist then shows the budget it really got.
 */
export const DEFAULT_BUDGET_HINT: RunBudget = { steps: 40, tokens: 200_000, seconds: 900 };

/** A budget field's number, or nothing when left empty (the server's default applies). */
function numberField(form: FormData, name: string): number | undefined {
  const raw = String(form.get(name) ?? '').trim();
  return raw === '' ? undefined : Number(raw);
}

/** What the form asks for, as POST .../runs takes it: minutes become seconds, empty fields are left out. */
export function runInputFrom(form: FormData): RunInput {
  const steps = numberField(form, 'steps');
  const tokens = numberField(form, 'tokens');
  const minutes = numberField(form, 'minutes');
  const budget = {
    ...(steps === undefined ? {} : { steps }),
    ...(tokens === undefined ? {} : { tokens }),
    ...(minutes === undefined ? {} : { seconds: Math.round(minutes * 60) }),
  };
  return { goal: String(form.get('goal') ?? '').trim(), ...(Object.keys(budget).length > 0 ? { budget } : {}) };
}

/** One budget number, with the hub's default as its placeholder and the server's reason under it. */
function BudgetField({ id, name, label, placeholder, error, decimal = false }: { id: string; name: string; label: string; placeholder: number; error?: string; decimal?: boolean }) {
  return (
    <div>
      <Label htmlFor={id}>{label}</Label>
      <TextInput
        id={id}
        name={name}
        type="number"
        inputMode={decimal ? 'decimal' : 'numeric'}
        step={decimal ? 'any' : undefined}
        placeholder={String(placeholder)}
        color={error ? 'failure' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        data-testid={`run-budget-${name}`}
      />
      {error && (
        <HelperText id={`${id}-error`} color="failure" data-testid={`run-budget-${name}-error`}>
          {error}
        </HelperText>
      )}
    </div>
  );
}

/** Gives the channel's agents a goal: the text, an optional budget, Start; the server's refusal shows here. */
export function StartRunModal({ show, onClose, channelId, channelName }: { show: boolean; onClose: () => void; channelId: string; channelName: string }) {
  const { runs } = useStores();
  const ids = useId();
  const [goal, setGoal] = useState('');
  const start = useAction((input: RunInput) => runs.start(channelId, input), {
    onSuccess: () => {
      setGoal('');
      onClose();
    },
  });
  const length = [...goal.trim()].length;
  // A 400 names its fields (goal, budget.steps…): each reason shows under its field.
  const errors = fieldErrors(start.error?.details);
  const budgetError = (field: 'steps' | 'tokens' | 'seconds') => errors[`budget.${field}`];

  function close() {
    start.reset();
    onClose();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (length === 0 || length > MAX_GOAL_CHARS) return;
    start.run(runInputFrom(new FormData(event.currentTarget)));
  }

  return (
    <Modal show={show} onClose={close} size="lg" dismissible>
      <form onSubmit={onSubmit} data-testid="start-run-form" noValidate>
        <ModalHeader>Give #{channelName} a goal</ModalHeader>
        <ModalBody className="flex flex-col gap-4">
          {start.error && Object.keys(errors).length === 0 && (
            <Alert color="failure" data-testid="start-run-error">
              {start.error.message}
            </Alert>
          )}
          <div>
            <Label htmlFor={`${ids}-goal`}>Goal</Label>
            <Textarea
              id={`${ids}-goal`}
              name="goal"
              rows={3}
              required
              autoFocus
              value={goal}
              onChange={(event) => setGoal(event.target.value)}
              placeholder="e.g. Draft the launch post"
              aria-describedby={errors.goal ? `${ids}-goal-error ${ids}-goal-help` : `${ids}-goal-help`}
              color={errors.goal ? 'failure' : undefined}
              data-testid="run-goal-input"
            />
            {errors.goal && (
              <HelperText id={`${ids}-goal-error`} color="failure" data-testid="run-goal-error">
                {errors.goal}
              </HelperText>
            )}
            <HelperText id={`${ids}-goal-help`} className={`mt-1 flex justify-between text-xs ${length > MAX_GOAL_CHARS ? 'text-red-600 dark:text-red-400' : ''}`}>
              <span>The supervisor plans tasks for the channel&apos;s agents, checks each result, and ends with a summary.</span>
              <span className="ml-2 shrink-0 tabular-nums">
                {length}/{MAX_GOAL_CHARS}
              </span>
            </HelperText>
          </div>
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-gray-900 dark:text-white">Budget (optional)</legend>
            <p className="mb-2 text-xs text-gray-500 dark:text-gray-400">The run stops at whichever it reaches first. Empty fields take the hub&apos;s defaults.</p>
            <div className="grid grid-cols-3 gap-3">
              <BudgetField id={`${ids}-steps`} name="steps" label="Steps" placeholder={DEFAULT_BUDGET_HINT.steps} error={budgetError('steps')} />
              <BudgetField id={`${ids}-tokens`} name="tokens" label="Tokens" placeholder={DEFAULT_BUDGET_HINT.tokens} error={budgetError('tokens')} />
              <BudgetField id={`${ids}-minutes`} name="minutes" label="Minutes" placeholder={DEFAULT_BUDGET_HINT.seconds / 60} error={budgetError('seconds')} decimal />
            </div>
          </fieldset>
        </ModalBody>
        <ModalFooter>
          <Button type="submit" disabled={start.pending || length === 0 || length > MAX_GOAL_CHARS} data-testid="start-run-submit">
            <PendingLabel pending={start.pending} idle="Start" busy="Starting…" />
          </Button>
          <Button color="alternative" onClick={close}>
            Cancel
          </Button>
        </ModalFooter>
      </form>
    </Modal>
  );
}
