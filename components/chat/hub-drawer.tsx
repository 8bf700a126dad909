'use client';

import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { composerInputId } from './message-actions';

/** Below this width (Tailwind's md) the sidebar is a drawer over the page. */
const NARROW_QUERY = '(max-width: 767.98px)';

function subscribeNarrow(onChange: () => void) {
  const query = window.matchMedia(NARROW_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** The server renders the wide layout; CSS alone already places the drawer until this runs. */
const useNarrow = () =>
  useSyncExternalStore(
    subscribeNarrow,
    () => window.matchMedia(NARROW_QUERY).matches,
    () => false,
  );

/**
 * The phone's sidebar drawer: open from the menu button, shut by the backdrop, Escape, its close
 * button, or by going anywhere. Focus moves into it on opening and back to the menu button on
 * shutting, unless shutting was a navigation: then the new page (a channel's composer) takes it.
 */
export function useDrawer(pathname: string) {
  const narrow = useNarrow();
  const [open, setOpen] = useState(false);
  // A new page (a link, a channel just created, Back) shuts it, and so does widening the window,
  // where the drawer is the sidebar again. Adjusted while rendering, so it never shows a frame late.
  const [shownPath, setShownPath] = useState(pathname);
  if (shownPath !== pathname || (open && !narrow)) {
    setShownPath(pathname);
    setOpen(false);
  }
  const panel = useRef<HTMLElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);

  const close = useCallback(({ returnFocus }: { returnFocus: boolean }) => {
    setOpen(false);
    requestAnimationFrame(() => {
      const active = document.activeElement;
      // A link to the page already open navigates nowhere: focus would be left in the shut drawer.
      const stranded = !active || active === document.body || panel.current?.contains(active);
      if (returnFocus || stranded) menuButton.current?.focus();
    });
  }, []);

  const show = useCallback(() => setOpen(true), []);

  useEffect(() => {
    if (!open) return;
    closeButton.current?.focus();
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      // A dialog opened from the drawer (New channel) is outside it and handles its own Escape.
      const target = event.target as Node | null;
      if (target && target !== document.body && !panel.current?.contains(target)) return;
      event.preventDefault();
      close({ returnFocus: true });
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [open, close]);

  return { narrow, open, modal: narrow && open, show, close, panel, menuButton, closeButton };
}

/**
 * The first stop of the Tab key: straight to the message box in a channel, else to the page's
 * content, past the sidebar's links.
 */
export function SkipLink({ toComposer }: { toComposer: boolean }) {
  return (
    <a
      href={toComposer ? `#${composerInputId}` : '#hub-main'}
      data-testid="skip-link"
      onClick={(event) => {
        // Focused by hand: following a fragment does not focus a textarea in every browser.
        const target = document.getElementById(composerInputId) ?? document.getElementById('hub-main');
        if (!target) return;
        event.preventDefault();
        target.focus();
      }}
      className="sr-only rounded-md bg-sky-600 text-sm font-medium text-white shadow-lg focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:px-3 focus:py-2"
    >
      {toComposer ? 'Skip to the message box' : 'Skip to the content'}
    </a>
  );
}
