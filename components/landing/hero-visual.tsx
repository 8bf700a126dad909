'use client';

import dynamic from 'next/dynamic';
import { useEffect, useRef, useState } from 'react';
import { HeroStill } from './hero-still';

// three.js arrives in its own chunk, requested only once the page has painted and is idle.
const NetworkScene = dynamic(() => import('./network-scene'), { ssr: false });

function webglAvailable(): boolean {
  try {
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    context?.getExtension('WEBGL_lose_context')?.loseContext();
    return Boolean(context);
  } catch {
    return false;
  }
}

/**
 * The still picture first (it is in the server's HTML); the live scene replaces it once the page
 * is idle, unless motion is reduced or WebGL is missing, in which case the still stays.
 */
export function HeroVisual() {
  const [mode, setMode] = useState<'pending' | 'still' | 'scene'>('pending');
  const [ready, setReady] = useState(false);
  const [visible, setVisible] = useState(true);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // Decided when the page is idle: even the WebGL probe waits until first paint is done.
    const reduce = window.matchMedia('(prefers-reduced-motion: reduce)');
    const decide = () => setMode(reduce.matches || !webglAvailable() ? 'still' : 'scene');
    const onChange = () => reduce.matches && setMode('still');
    reduce.addEventListener('change', onChange);
    const idle = typeof window.requestIdleCallback === 'function' ? window.requestIdleCallback(decide, { timeout: 1200 }) : window.setTimeout(decide, 300);
    return () => {
      reduce.removeEventListener('change', onChange);
      if (typeof window.cancelIdleCallback === 'function') window.cancelIdleCallback(idle);
      else window.clearTimeout(idle);
    };
  }, []);

  useEffect(() => {
    if (!box.current) return;
    const observer = new IntersectionObserver(([entry]) => setVisible(entry?.isIntersecting ?? true));
    observer.observe(box.current);
    return () => observer.disconnect();
  }, []);

  const live = mode === 'scene' && ready;
  return (
    <div ref={box} data-testid="hero-visual" data-visual={live ? 'scene' : mode} className="relative h-full w-full">
      <HeroStill className={`transition-opacity duration-700 ${live ? 'opacity-0' : 'opacity-100'}`} />
      {mode === 'scene' && (
        <div className={`absolute inset-0 transition-opacity duration-700 ${live ? 'opacity-100' : 'opacity-0'}`}>
          <NetworkScene active={visible} onReady={() => setReady(true)} />
        </div>
      )}
    </div>
  );
}
