'use client';

import { useEffect, useState } from 'react';

/** The clock, re-read every second while `on` (a run's time ticking on screen between its events). */
export function useTicking(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}
