'use client';

import { defaultRangeExtractor, useVirtualizer, type Range, type Rect, type Virtualizer } from '@tanstack/react-virtual';
import { observeElementRect } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** Up to this many rows a list draws them all (nothing to gain below it, and find-in-page, tests and counts see every row). */
export const ROWS_ALWAYS_DRAWN = 150;
/** Rows drawn beyond each edge of the viewport, so a fast wheel or keyboard scroll meets drawn rows. */
const OVERSCAN = 12;
/** A first guess for a row not measured yet (a one-line message with its header); measured rows replace it. */
const ESTIMATED_ROW_PX = 52;

type Keyed = { key: string; kind: string };
type Anchor = { key: string; fromTop: number };

/**
 * A virtualized list of chat rows in `scroller`, oldest first (@tanstack/react-virtual): only the
 * rows near the viewport are in the DOM, each measured as drawn (images, code blocks and
 * attachments make rows of any height). It keeps the reader's place as a chat must:
 * - opening: at the newest row, or centred on `targetKey` (a search jump);
 * - older rows inserted above: the first message row in view stays where it was on screen;
 * - rows appended: followed when the reader was at the bottom and `follow` holds, else left alone
 *   and `newBelow` set until the reader reaches the bottom (or `jumpToNewest` takes them there);
 * - the reader's own new message (`ownNewest` changing): always brought into view.
 */
export function useVirtualRows<R extends Keyed>({
  scroller,
  list,
  rows,
  follow,
  targetKey,
  ownNewest,
}: {
  scroller: RefObject<HTMLDivElement | null>;
  /** The element the rows are drawn in, inside `scroller` (what sits above it is the scroll margin). */
  list: RefObject<HTMLElement | null>;
  rows: R[];
  follow: boolean;
  targetKey?: string;
  ownNewest?: string;
}) {
  // How far the list sits below the scroller's top (spinner, "load older", padding): measured after each commit.
  const [scrollMargin, setScrollMargin] = useState(0);
  // eslint-disable-next-line react-hooks/incompatible-library -- the React Compiler is off here; the virtualizer re-renders its host itself
  const virtualizer = useVirtualizer<HTMLDivElement, HTMLLIElement>({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    getItemKey: (index) => rows[index]!.key,
    overscan: OVERSCAN,
    scrollMargin,
    anchorTo: 'end',
    followOnAppend: follow,
    // A few pixels of slack: "at the bottom" survives sub-pixel rounding and a row settling its size.
    scrollEndThreshold: 8,
    rangeExtractor: drawAllWhenFew,
    measureElement: measureRow,
    observeElementRect: observeRectOrWindow,
    // Until the scroller is measured (the first render), a window's worth of rows is drawn.
    initialRect: { width: 0, height: typeof window === 'undefined' ? 800 : window.innerHeight },
  });

  const anchor = useRef<Anchor | null>(null);
  const shown = useRef<{ firstKey?: string; positioned: boolean }>({ positioned: false });
  const atBottom = useRef(true);
  const [newBelow, setNewBelow] = useState(false);

  // Where the first message row in view sits, remembered while the reader scrolls, so that rows
  // inserted above can be paid back. Message rows only: a date separator's key can move to the
  // new top when older messages of the same day arrive.
  // Read from the DOM (what the reader sees), not from the virtualizer's estimates.
  function remember() {
    const el = scroller.current;
    if (!el) return;
    const top = el.scrollTop;
    atBottom.current = el.scrollHeight - top - el.clientHeight < BOTTOM_SLACK_PX;
    if (atBottom.current) setNewBelow(false);
    const viewTop = el.getBoundingClientRect().top;
    for (const node of el.querySelectorAll<HTMLElement>(MESSAGE_ROW)) {
      const rect = node.getBoundingClientRect();
      if (rect.bottom <= viewTop) continue;
      anchor.current = { key: node.dataset.messageId!, fromTop: rect.top - viewTop };
      return;
    }
  }

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    el.addEventListener('scroll', remember, { passive: true });
    return () => el.removeEventListener('scroll', remember);
  });

  // What sits above the list changes with the rows only ("load older" becomes "the beginning").
  useLayoutEffect(() => {
    const margin = list.current?.offsetTop ?? 0;
    if (margin !== scrollMargin) setScrollMargin(margin);
  }, [list, rows, scrollMargin]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || rows.length === 0) return;
    const firstKey = rows.find((row) => row.kind === 'message')?.key;
    const state = shown.current;
    if (!state.positioned) {
      state.positioned = true;
      const target = targetKey === undefined ? -1 : rows.findIndex((row) => row.key === targetKey);
      if (target >= 0) virtualizer.scrollToIndex(target, { align: 'center' });
      else virtualizer.scrollToEnd();
    } else if (state.firstKey !== firstKey && anchor.current) {
      // Older rows came in above: the remembered row goes back to where it was on screen. The
      // virtualizer has anchored on its own by now (on the row at the scroll offset, which may be
      // a date separator whose key moved to the new top), so the row's drawn position is what is
      // corrected; rows above measured later are paid back by the virtualizer as they are drawn.
      // Not drawn (the window was placed by the rows' estimates): brought in first, then placed.
      const { key, fromTop } = anchor.current;
      const index = rows.findIndex((row) => row.key === key);
      const restore = (framesLeft: number) => {
        const node = el.querySelector<HTMLElement>(`${MESSAGE_ROW}[data-message-id="${key}"]`);
        if (node) {
          const shift = node.getBoundingClientRect().top - el.getBoundingClientRect().top - fromTop;
          if (Math.abs(shift) >= 1) el.scrollTop += shift;
          return;
        }
        if (index < 0 || framesLeft === 0) return;
        virtualizer.scrollToIndex(index, { align: 'start' });
        requestAnimationFrame(() => restore(framesLeft - 1));
      };
      restore(4);
    }
    state.firstKey = firstKey;
    remember();
  });

  useLayoutEffect(() => {
    if (ownNewest && shown.current.positioned) virtualizer.scrollToEnd();
  }, [ownNewest, virtualizer]);

  // A message arrived below a reader who is reading further up: say so rather than move them.
  const lastKey = rows.findLast((row) => row.kind === 'message')?.key;
  const seenLast = useRef(lastKey);
  useLayoutEffect(() => {
    const arrived = seenLast.current !== undefined && lastKey !== undefined && lastKey > seenLast.current;
    seenLast.current = lastKey;
    if (arrived && follow && !atBottom.current) setNewBelow(true);
  }, [lastKey, follow]);

  function jumpToNewest() {
    setNewBelow(false);
    virtualizer.scrollToEnd();
  }

  return { virtualizer, newBelow, jumpToNewest };
}

/** A drawn message row (what a reader's place is kept by). */
const MESSAGE_ROW = '[data-message-id]';

/** Within this many pixels of the end the reader counts as at the bottom. */
const BOTTOM_SLACK_PX = 40;

export type RowVirtualizer = Virtualizer<HTMLDivElement, HTMLLIElement>;

function drawAllWhenFew(range: Range): number[] {
  if (range.count > ROWS_ALWAYS_DRAWN) return defaultRangeExtractor(range);
  return Array.from({ length: range.count }, (_, index) => index);
}

/** A row's height with its vertical margins (rows sit in a flex column, so margins add up and never collapse). */
function measureRow(element: HTMLLIElement, entry: ResizeObserverEntry | undefined): number {
  const style = getComputedStyle(element);
  const height = entry?.borderBoxSize?.[0]?.blockSize ?? element.getBoundingClientRect().height;
  return height + (parseFloat(style.marginTop) || 0) + (parseFloat(style.marginBottom) || 0);
}

/**
 * The scroller's size; while it has none (hidden on a phone behind an open panel, or under jsdom,
 * which lays nothing out) the window's, so a window of rows is still drawn rather than one.
 */
function observeRectOrWindow(instance: RowVirtualizer, cb: (rect: Rect) => void) {
  return observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : { width: rect.width, height: window.innerHeight }));
}
