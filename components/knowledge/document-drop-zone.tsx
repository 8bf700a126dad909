'use client';

import { useEffect, useRef, useState, type DragEvent } from 'react';
import { HiddenFileInput } from '@/components/ui/hidden-file-input';

/** What the file picker offers (a dropped file of another type still goes up, and its row says why it was refused). */
const ACCEPT = '.pdf,.docx,.html,.htm,.md,.markdown,.txt,.text,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/html,text/markdown,text/plain';

const hasFiles = (event: { dataTransfer: DataTransfer | null }) => Array.from(event.dataTransfer?.types ?? []).includes('Files');

/** Drop many files at once, or pick them; each goes to `onFiles` in the order given. */
export function DocumentDropZone({ onFiles, disabled }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every child crossed; a counter tells when the pointer truly left.
  const depth = useRef(0);

  // A file dropped beside the zone would make the browser leave the page to show it.
  useEffect(() => {
    const guard = (event: globalThis.DragEvent) => {
      if (hasFiles(event)) event.preventDefault();
    };
    window.addEventListener('dragover', guard);
    window.addEventListener('drop', guard);
    return () => {
      window.removeEventListener('dragover', guard);
      window.removeEventListener('drop', guard);
    };
  }, []);

  function enter(event: DragEvent<HTMLDivElement>) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth.current += 1;
    setOver(true);
  }

  function leave() {
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setOver(false);
  }

  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    depth.current = 0;
    setOver(false);
    const files = Array.from(event.dataTransfer.files);
    if (files.length > 0 && !disabled) onFiles(files);
  }

  return (
    <div
      data-testid="drop-zone"
      onDragEnter={enter}
      onDragOver={(event) => hasFiles(event) && event.preventDefault()}
      onDragLeave={leave}
      onDrop={drop}
      className={`flex flex-col items-center justify-center gap-2 rounded-lg border-2 border-dashed px-4 py-6 text-center text-sm transition-colors ${
        over ? 'border-sky-500 bg-sky-50 text-sky-800 dark:bg-sky-950/40 dark:text-sky-200' : 'border-gray-300 text-gray-600 dark:border-gray-700 dark:text-gray-300'
      }`}
    >
      <p className="font-medium">{over ? 'Drop to upload' : 'Drag and drop files here'}</p>
      <p className="text-xs text-gray-500 dark:text-gray-400">PDF, Word (.docx), HTML, Markdown or plain text. Many at once is fine.</p>
      <button
        type="button"
        disabled={disabled}
        onClick={() => input.current?.click()}
        className="rounded-lg border border-gray-300 bg-white px-3 py-1.5 text-sm font-medium text-gray-900 hover:bg-gray-100 disabled:opacity-60 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-100 dark:hover:bg-gray-700"
        data-testid="pick-files"
      >
        Choose files
      </button>
      <HiddenFileInput input={input} accept={ACCEPT} label="Files to upload" testId="file-input" onFiles={onFiles} />
    </div>
  );
}
