import { useState } from 'react';

/**
 * True from the first time `open` is: a modal loaded lazily (next/dynamic) mounts at its first
 * opening and then stays mounted, as it did when it shipped with the page, so closing it keeps
 * what was typed in it.
 */
export function useOpenedOnce(open: boolean): boolean {
  const [opened, setOpened] = useState(open);
  if (open && !opened) setOpened(true);
  return opened || open;
}
