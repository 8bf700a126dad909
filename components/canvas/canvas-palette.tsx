'use client';

import { useState, type DragEvent } from 'react';
import { Avatar } from '@/components/ui/avatar';

/** What a palette item carries when dragged onto the canvas. */
export const PALETTE_MIME = 'application/x-neurocache-canvas';
export type PaletteItem = { kind: 'agent' | 'kb' | 'note'; id: string; name: string; detail?: string; avatar?: string | null };

export function readPaletteDrop(event: DragEvent): PaletteItem | undefined {
  try {
    const item = JSON.parse(event.dataTransfer.getData(PALETTE_MIME)) as PaletteItem;
    return ['agent', 'kb', 'note'].includes(item.kind) && typeof item.id === 'string' ? item : undefined;
  } catch {
    return undefined;
  }
}

function Item({ item, busy, onAdd }: { item: PaletteItem; busy: boolean; onAdd: (item: PaletteItem) => void }) {
  return (
    <li>
      <button
        type="button"
        draggable
        data-testid="palette-item"
        data-kind={item.kind}
        disabled={busy}
        onDragStart={(event) => {
          event.dataTransfer.setData(PALETTE_MIME, JSON.stringify(item));
          event.dataTransfer.effectAllowed = 'copy';
        }}
        onClick={() => onAdd(item)}
        aria-label={`Add ${item.name} to the canvas`}
        title="Drag onto the canvas, or press Enter to add it at a free spot"
        className="flex w-full cursor-grab items-center gap-2 rounded-lg border border-gray-200 bg-white px-2 py-1.5 text-left text-sm hover:border-sky-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 disabled:cursor-wait disabled:opacity-60 dark:border-gray-700 dark:bg-gray-900 dark:hover:border-sky-500"
      >
        {item.kind === 'agent' && <Avatar id={item.id} name={item.name} size="sm" agent src={item.avatar} />}
        {item.kind === 'kb' && <span aria-hidden className="inline-flex h-6 w-6 shrink-0 items-center justify-center rounded bg-emerald-600 text-[0.6rem] font-semibold text-white">KB</span>}
        {item.kind === 'note' && <span aria-hidden className="inline-flex h-6 w-6 shrink-0 items-center justify-center rounded bg-amber-300 text-xs text-amber-900">✎</span>}
        <span className="min-w-0">
          <span className="block truncate font-medium">{item.name}</span>
          {item.detail && <span className="block truncate text-xs text-gray-500 dark:text-gray-400">{item.detail}</span>}
        </span>
      </button>
    </li>
  );
}

function Section({ title, items, empty, busyId, onAdd }: { title: string; items: PaletteItem[]; empty: string; busyId?: string; onAdd: (item: PaletteItem) => void }) {
  return (
    <section className="space-y-1.5">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-gray-500 dark:text-gray-400">{title}</h3>
      {items.length === 0 ? (
        <p className="text-xs text-gray-500 dark:text-gray-400">{empty}</p>
      ) : (
        <ul className="space-y-1.5">
          {items.map((item) => (
            <Item key={`${item.kind}:${item.id}`} item={item} busy={busyId === `${item.kind}:${item.id}`} onAdd={onAdd} />
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * Things to put on the canvas: the person's agents not in the channel yet (dropping one adds it),
 * their knowledge bases not on the canvas, and a new note. Drag an item onto the canvas, or press
 * Enter on it to add it at a free spot. A column beside the canvas; on a narrow screen it folds
 * away behind a button over the canvas.
 */
export function CanvasPalette({ agents, bases, busyId, error, onAdd }: { agents: PaletteItem[]; bases: PaletteItem[]; busyId?: string; error?: string | null; onAdd: (item: PaletteItem) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <aside
      data-testid="canvas-palette"
      aria-label="Add to the canvas"
      className="pointer-events-none absolute left-2 top-2 z-10 flex max-h-[calc(100%-1rem)] w-60 flex-col items-start gap-2 md:pointer-events-auto md:static md:max-h-none md:w-64 md:shrink-0 md:border-r md:border-gray-200 md:dark:border-gray-800"
    >
      <button
        type="button"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        data-testid="palette-toggle"
        className="pointer-events-auto rounded-lg border border-gray-300 bg-white px-3 py-1.5 text-sm font-medium shadow-sm hover:bg-gray-50 md:hidden dark:border-gray-700 dark:bg-gray-900 dark:hover:bg-gray-800"
      >
        {open ? 'Close' : '+ Add'}
      </button>
      <div
        data-testid="palette-panel"
        className={`${open ? 'flex' : 'hidden'} pointer-events-auto min-h-0 w-full flex-col gap-3 overflow-y-auto rounded-xl border border-gray-200 bg-gray-50/95 p-3 shadow-md backdrop-blur md:flex md:h-full md:rounded-none md:border-0 md:bg-gray-50 md:shadow-none dark:border-gray-700 dark:bg-gray-950/90 md:dark:bg-gray-900`}
      >
        <p className="text-xs text-gray-600 dark:text-gray-300">Drag onto the canvas, or press Enter on an item.</p>
        {error && (
          <p role="alert" className="rounded-md bg-red-50 px-2 py-1 text-xs text-red-700 dark:bg-red-950/60 dark:text-red-300" data-testid="palette-error">
            {error}
          </p>
        )}
        <Section title="Note" items={[{ kind: 'note', id: 'new', name: 'Sticky note', detail: 'For everyone in the channel' }]} empty="" busyId={busyId} onAdd={onAdd} />
        <Section title="Your agents" items={agents} empty="All your agents are in this channel." busyId={busyId} onAdd={onAdd} />
        <Section title="Your knowledge" items={bases} empty="All your knowledge bases are on the canvas." busyId={busyId} onAdd={onAdd} />
      </div>
    </aside>
  );
}
