'use client';

import { observer } from 'mobx-react-lite';
import { useEffect, useRef, useState, type RefObject } from 'react';
import { describeBytes } from '@/lib/bytes';
import { ATTACH_ACCEPT, type AttachmentUploads, type PendingUpload } from './attachments-uploads';
import { HiddenFileInput } from '@/components/ui/hidden-file-input';

const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');

/** The paperclip: opens the file picker (several files at once). */
export function AttachButton({ onFiles, disabled }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        disabled={disabled}
        onClick={() => input.current?.click()}
        aria-label="Attach files"
        title="Attach images, videos or documents (or drop them on the channel, or paste an image)"
        data-testid="attach-button"
        className="rounded-md p-1.5 text-gray-500 hover:bg-gray-100 hover:text-gray-900 disabled:opacity-40 dark:hover:bg-gray-800 dark:hover:text-gray-100"
      >
        <svg viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth={1.8} aria-hidden>
          <path strokeLinecap="round" strokeLinejoin="round" d="m18.4 11.1-6.9 6.9a4.5 4.5 0 0 1-6.4-6.4l7.6-7.6a3 3 0 0 1 4.2 4.2l-7.6 7.6a1.5 1.5 0 0 1-2.1-2.1l6.9-6.9" />
        </svg>
      </button>
      <HiddenFileInput input={input} accept={ATTACH_ACCEPT} label="Files to attach" testId="attach-input" onFiles={onFiles} />
    </>
  );
}

/** An observer of its own: progress and state change on the upload object, not on the list. */
const Chip = observer(function Chip({ upload, onRemove }: { upload: PendingUpload; onRemove: () => void }) {
  const failed = upload.state === 'failed';
  const thumb = upload.preview ?? upload.attachment?.thumbnailUrl;
  const status = failed ? upload.error : upload.state === 'uploading' ? `Uploading… ${Math.round(upload.sent * 100)}%` : describeBytes(upload.bytes);
  return (
    <li
      data-testid="attachment-chip"
      data-state={upload.state}
      className={`relative flex w-56 items-center gap-2 overflow-hidden rounded-lg border px-2 py-1.5 text-xs ${
        failed ? 'border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950/40' : 'border-gray-200 bg-gray-50 dark:border-gray-700 dark:bg-gray-800'
      }`}
    >
      {thumb ? (
        // eslint-disable-next-line @next/next/no-img-element
        <img src={thumb} alt="" className="h-9 w-9 shrink-0 rounded object-cover" />
      ) : (
        <span className="flex h-9 w-9 shrink-0 items-center justify-center rounded bg-gray-200 text-[0.6rem] font-semibold uppercase text-gray-600 dark:bg-gray-700 dark:text-gray-300" aria-hidden>
          {upload.name.split('.').pop()?.slice(0, 4) || 'file'}
        </span>
      )}
      <span className="min-w-0 flex-1">
        <span className="block truncate font-medium" title={upload.name}>{upload.name}</span>
        <span className={`block ${failed ? 'whitespace-normal text-red-700 dark:text-red-300' : 'truncate text-gray-500'}`} role={failed ? 'alert' : undefined} data-testid="attachment-chip-status">
          {status}
        </span>
      </span>
      <button
        type="button"
        onClick={onRemove}
        aria-label={`Remove ${upload.name}`}
        data-testid="attachment-chip-remove"
        className="shrink-0 self-start rounded px-1 text-base leading-none text-gray-500 hover:bg-gray-200 hover:text-gray-900 dark:hover:bg-gray-700 dark:hover:text-gray-100"
      >
        ×
      </button>
      {upload.state === 'uploading' && (
        <span className="absolute inset-x-0 bottom-0 h-0.5 bg-gray-200 dark:bg-gray-700" aria-hidden>
          <span className="block h-full bg-sky-500 transition-[width]" style={{ width: `${Math.round(upload.sent * 100)}%` }} />
        </span>
      )}
    </li>
  );
});

/** The files waiting to go out with the next message of a channel. */
export const PendingAttachments = observer(function PendingAttachments({ uploads, channelId }: { uploads: AttachmentUploads; channelId: string }) {
  const pending = uploads.of(channelId);
  if (pending.length === 0) return null;
  return (
    <ul className="mb-2 flex flex-wrap gap-2" aria-label="Attachments" data-testid="pending-attachments">
      {pending.map((upload) => (
        <Chip key={upload.key} upload={upload} onRemove={() => uploads.remove(upload.key)} />
      ))}
    </ul>
  );
});

/**
 * Files dragged over the channel (the composer's parent: header, history and composer): an
 * overlay over exactly that area says where they go, and a drop adds them. A file dropped
 * anywhere else on the page is stopped, so the browser does not leave the hub to show it.
 */
export function useChannelDrop(anchor: RefObject<HTMLElement | null>, onFiles: (files: File[]) => void): DOMRect | null {
  const [over, setOver] = useState<DOMRect | null>(null);
  const latest = useRef(onFiles);
  // The newest handler, for listeners attached once (kept after each render, never during it).
  useEffect(() => {
    latest.current = onFiles;
  }, [onFiles]);
  useEffect(() => {
    const area = anchor.current?.parentElement;
    if (!area) return;
    // dragenter/dragleave fire for every child crossed; a counter tells when the pointer truly left.
    let depth = 0;
    const enter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth += 1;
      setOver(area.getBoundingClientRect());
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(null);
    };
    const overArea = (event: DragEvent) => hasFiles(event) && event.preventDefault();
    const drop = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      setOver(null);
      const files = Array.from(event.dataTransfer?.files ?? []);
      if (files.length > 0) latest.current(files);
    };
    const guard = (event: DragEvent) => {
      if (hasFiles(event)) event.preventDefault();
    };
    area.addEventListener('dragenter', enter);
    area.addEventListener('dragleave', leave);
    area.addEventListener('dragover', overArea);
    area.addEventListener('drop', drop);
    window.addEventListener('dragover', guard);
    window.addEventListener('drop', guard);
    return () => {
      area.removeEventListener('dragenter', enter);
      area.removeEventListener('dragleave', leave);
      area.removeEventListener('dragover', overArea);
      area.removeEventListener('drop', drop);
      window.removeEventListener('dragover', guard);
      window.removeEventListener('drop', guard);
    };
  }, [anchor]);
  return over;
}

/** What the channel shows while files are held over it. */
export function DropOverlay({ rect, channelName }: { rect: DOMRect; channelName: string }) {
  return (
    <div
      data-testid="attachment-drop-overlay"
      className="pointer-events-none fixed z-40 flex items-center justify-center rounded-lg border-2 border-dashed border-sky-500 bg-sky-50/90 text-sky-800 dark:bg-sky-950/80 dark:text-sky-200"
      style={{ top: rect.top, left: rect.left, width: rect.width, height: rect.height }}
    >
      <p className="text-center">
        <span className="block text-lg font-semibold">Drop to attach to #{channelName}</span>
        <span className="text-sm">Images, videos and documents</span>
      </p>
    </div>
  );
}
