'use client';

import { LazyMotion, MotionConfig, m } from 'motion/react';
import type { ReactNode } from 'react';

const loadFeatures = () => import('./motion-features').then((module) => module.default);

/** Motion for the landing page: its features load after first paint, and reduced motion is respected. */
export function MotionRoot({ children }: { children: ReactNode }) {
  return (
    <LazyMotion features={loadFeatures} strict>
      <MotionConfig reducedMotion="user">{children}</MotionConfig>
    </LazyMotion>
  );
}

/** Fades and lifts its content in: on entering the viewport, or at once (`onMount`) for the hero. */
export function Reveal({ children, delay = 0, onMount = false, className }: { children: ReactNode; delay?: number; onMount?: boolean; className?: string }) {
  const shown = { opacity: 1, y: 0 };
  return (
    <m.div
      className={className}
      initial={{ opacity: 0, y: 18 }}
      {...(onMount ? { animate: shown } : { whileInView: shown, viewport: { once: true, margin: '0px 0px -60px 0px' } })}
      transition={{ duration: 0.6, delay, ease: [0.22, 1, 0.36, 1] }}
    >
      {children}
    </m.div>
  );
}
