import { Spinner } from 'flowbite-react';

/** A button's label, or while its action runs a small spinner and what it is doing ("Creating…"). */
export function PendingLabel({ pending, idle, busy }: { pending: boolean; idle: string; busy: string }) {
  if (!pending) return <>{idle}</>;
  return (
    <span className="inline-flex items-center gap-1.5">
      <Spinner size="xs" aria-hidden role="presentation" />
      {busy}
    </span>
  );
}
