'use client';

import { useAnimate } from 'motion/react-mini';
import { useEffect, type ReactNode } from 'react';

// How the content starts (in the server's HTML too, so nothing shows before it fades in).
const hidden = { opacity: 0, transform: 'translateY(18px)' };
const ease = [0.22, 1, 0.36, 1] as const;

/**
 * Fades and lifts its content in: on entering the viewport, or at once (`onMount`) for the hero.
 * Motion's mini animate (the browser's own Web Animations, ~2 KB) rather than its React
 * components: a fade and a lift need no more, and the landing page loads nothing else of Motion.
 * With reduced motion the content fades in without moving, as Motion's `reducedMotion="user"` does.
 */
export function Reveal({ children, delay = 0, onMount = false, className }: { children: ReactNode; delay?: number; onMount?: boolean; className?: string }) {
  const [scope, animate] = useAnimate<HTMLDivElement>();

  useEffect(() => {
    const element = scope.current;
    if (!element) return;
    const reveal = () => {
      // Reduced motion: the lift is instant (its own zero-length transition), only the fade plays.
      const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      animate(element, { opacity: 1, transform: 'none' }, { duration: 0.6, delay, ease, ...(still ? { transform: { duration: 0 } } : {}) });
    };
    if (onMount) {
      reveal();
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        observer.disconnect();
        reveal();
      },
      { rootMargin: '0px 0px -60px 0px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [scope, animate, delay, onMount]);

  return (
    <div ref={scope} className={className} style={hidden}>
      {children}
    </div>
  );
}
