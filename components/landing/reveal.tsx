'use client';

import { useInView } from 'motion/react';
import { useAnimate } from 'motion/react-mini';
import { useEffect, type ReactNode } from 'react';

const EASE = [0.22, 1, 0.36, 1] as const;
const HIDDEN = { opacity: 0, transform: 'translateY(18px)' };

/**
 * Fades and lifts its content in: on entering the viewport, or at once (`onMount`) for the hero.
 * Motion's mini animator (the browser's Web Animations, about 3 kB) rather than its `motion`
 * components (about 45 kB with their features), so the landing page ships less before the scene.
 * With reduced motion the content is simply shown.
 */
export function Reveal({ children, delay = 0, onMount = false, className }: { children: ReactNode; delay?: number; onMount?: boolean; className?: string }) {
  const [scope, animate] = useAnimate<HTMLDivElement>();
  const inView = useInView(scope, { once: true, margin: '0px 0px -60px 0px' });
  const go = onMount || inView;

  useEffect(() => {
    const element = scope.current;
    if (!go || !element) return;
    const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    const controls = animate(element, { opacity: [0, 1], transform: [HIDDEN.transform, 'none'] }, reduced ? { duration: 0 } : { duration: 0.6, delay, ease: EASE });
    return () => controls.complete();
  }, [go, delay, animate, scope]);

  return (
    <div ref={scope} className={className} style={HIDDEN}>
      {children}
    </div>
  );
}
