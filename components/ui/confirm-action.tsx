import type { ReactNode } from 'react';

type Props = {
  /** Whether this row is asking "are you sure?" now. */
  confirming: boolean;
  onAsk(): void;
  onCancel(): void;
  onConfirm(): void;
  /** The action is running for this row: the confirm button is disabled and says so. */
  pending: boolean;
  /** Another row's action is running: confirming here waits. */
  busy?: boolean;
  label: string;
  confirmLabel: string;
  pendingLabel: string;
  question?: ReactNode;
  testIds: { ask: string; confirm: string };
};

/** A destructive action behind one "are you sure?" step (delete an agent, revoke a key). */
export function ConfirmAction({ confirming, onAsk, onCancel, onConfirm, pending, busy, label, confirmLabel, pendingLabel, question, testIds }: Props) {
  if (!confirming) {
    return (
      <button type="button" className="text-red-600 hover:underline" onClick={onAsk} data-testid={testIds.ask}>
        {label}
      </button>
    );
  }
  return (
    <>
      {question && <span>{question}</span>}
      <button type="button" className="mr-2 font-medium text-red-600 hover:underline disabled:opacity-60" disabled={pending || busy} onClick={onConfirm} data-testid={testIds.confirm}>
        {pending ? pendingLabel : confirmLabel}
      </button>
      <button type="button" className="hover:underline" onClick={onCancel}>
        Cancel
      </button>
    </>
  );
}
