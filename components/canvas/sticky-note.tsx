'use client';

import { observer } from 'mobx-react-lite';
import { useState } from 'react';
import type { MAX_NOTE_CHARS, NoteColor } from '@/lib/teams/canvas';
import { useStores } from '@/stores/context';

/** The server's limit (the type keeps the two equal). */
const NOTE_CHARS: typeof MAX_NOTE_CHARS = 2000;

/** Each colour the server accepts, as a note and a swatch show it in light and dark. */
export const NOTE_LOOKS: Record<NoteColor, { note: string; swatch: string; label: string }> = {
  yellow: { note: 'bg-amber-100 dark:bg-amber-900/50', swatch: 'bg-amber-300', label: 'Yellow' },
  pink: { note: 'bg-pink-100 dark:bg-pink-900/50', swatch: 'bg-pink-300', label: 'Pink' },
  blue: { note: 'bg-sky-100 dark:bg-sky-900/50', swatch: 'bg-sky-300', label: 'Blue' },
  green: { note: 'bg-emerald-100 dark:bg-emerald-900/50', swatch: 'bg-emerald-300', label: 'Green' },
  purple: { note: 'bg-violet-100 dark:bg-violet-900/50', swatch: 'bg-violet-300', label: 'Purple' },
  gray: { note: 'bg-gray-100 dark:bg-gray-800', swatch: 'bg-gray-300', label: 'Gray' },
};

export const noteLook = (color?: string) => NOTE_LOOKS[(color as NoteColor) in NOTE_LOOKS ? (color as NoteColor) : 'yellow'];

/**
 * A sticky note: its text is edited in place and saved when the field is left; a colour saves at
 * once. While someone else edits it, their saved text shows here unless this person is typing.
 */
export const StickyNote = observer(function StickyNote({ channelId, id, x, y, text, color }: { channelId: string; id: string; x: number; y: number; text: string; color?: string }) {
  const { canvas } = useStores();
  const [draft, setDraft] = useState<string | null>(null);
  const look = noteLook(color);

  function save() {
    if (draft !== null && draft !== text) canvas.move(channelId, { id, x, y, data: { text: draft } });
    setDraft(null);
  }

  return (
    <div className={`-m-3 space-y-2 rounded-b-xl p-3 ${look.note}`} data-testid="sticky-note">
      <textarea
        aria-label="Note"
        data-testid="note-text"
        value={draft ?? text}
        maxLength={NOTE_CHARS}
        placeholder="Write a note…"
        rows={4}
        onFocus={() => setDraft(text)}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={save}
        className="nodrag nowheel block w-full resize-none rounded-md border-0 bg-transparent p-1 text-sm text-gray-900 placeholder:text-gray-500 focus:ring-2 focus:ring-sky-500 dark:text-gray-100 dark:placeholder:text-gray-400"
      />
      <div className="flex gap-1.5" role="group" aria-label="Note colour">
        {(Object.keys(NOTE_LOOKS) as NoteColor[]).map((name) => (
          <button
            key={name}
            type="button"
            aria-label={NOTE_LOOKS[name].label}
            aria-pressed={(color ?? 'yellow') === name}
            onClick={() => canvas.move(channelId, { id, x, y, data: { color: name } })}
            className={`nodrag h-5 w-5 rounded-full border border-black/10 ${NOTE_LOOKS[name].swatch} aria-pressed:ring-2 aria-pressed:ring-gray-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:aria-pressed:ring-white`}
          />
        ))}
      </div>
    </div>
  );
});
