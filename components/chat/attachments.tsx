'use client';

import { useQuery } from '@tanstack/react-query';
import { observer } from 'mobx-react-lite';
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { AttachmentJson } from '@/lib/contracts/abilities';
import type { Message } from '@/lib/api-types';
import { describeBytes } from '@/lib/bytes';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { knowledgeListQuery } from '@/stores/knowledge-store';

const isImage = (a: AttachmentJson) => a.mimeType.startsWith('image/');
const isVideo = (a: AttachmentJson) => a.mimeType.startsWith('video/');

/** 65000 -> "1:05", 3725000 -> "1:02:05". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** A preview box with the file's own proportions, at most 240 × 200. */
function previewSize(a: AttachmentJson): { width: number; height: number } {
  if (!a.width || !a.height) return { width: 200, height: 150 };
  const scale = Math.min(1, 240 / a.width, 200 / a.height);
  return { width: Math.max(48, Math.round(a.width * scale)), height: Math.max(48, Math.round(a.height * scale)) };
}

/**
 * An image or video opened over the page: the full image, or the video playing. Esc, the close
 * button or a click outside closes it; ← and → move between the message's media. Focus moves
 * into the dialog and back to what opened it.
 */
export function Lightbox({ items, index, onIndex, onClose }: { items: AttachmentJson[]; index: number; onIndex: (index: number) => void; onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  const item = items[index]!;
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => opener?.focus?.();
  }, []);

  function onKeyDown(event: ReactKeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
    } else if (event.key === 'ArrowRight' && items.length > 1) {
      onIndex((index + 1) % items.length);
    } else if (event.key === 'ArrowLeft' && items.length > 1) {
      onIndex((index - 1 + items.length) % items.length);
    } else if (event.key === 'Tab') {
      // Focus stays inside the dialog: its controls are few, so Tab cycles through them.
      const focusable = Array.from(event.currentTarget.querySelectorAll<HTMLElement>('button, a[href], video[controls]'));
      const at = focusable.indexOf(document.activeElement as HTMLElement);
      const next = event.shiftKey ? (at <= 0 ? focusable.length - 1 : at - 1) : at === focusable.length - 1 ? 0 : at + 1;
      event.preventDefault();
      focusable[next]?.focus();
    }
  }

  return (
    <div
      role="dialog"
      aria-modal="true"
      aria-label={item.name}
      data-testid="lightbox"
      onKeyDown={onKeyDown}
      onClick={(event) => event.target === event.currentTarget && onClose()}
      className="fixed inset-0 z-50 flex flex-col items-center justify-center gap-3 bg-black/85 p-6"
    >
      <div className="flex w-full max-w-5xl items-center justify-between gap-4 text-sm text-gray-100">
        <span className="truncate" data-testid="lightbox-name">
          {item.name}
          {items.length > 1 && <span className="ml-2 text-gray-400">{index + 1} / {items.length}</span>}
        </span>
        <span className="flex shrink-0 gap-2">
          <a href={item.url} target="_blank" rel="noreferrer" className="rounded px-2 py-1 hover:bg-white/10">Open original</a>
          <button ref={close} type="button" onClick={onClose} aria-label="Close" data-testid="lightbox-close" className="rounded px-2 py-1 text-lg leading-none hover:bg-white/10">
            ×
          </button>
        </span>
      </div>
      {isVideo(item) ? (
        <video key={item.id} src={item.url} poster={item.thumbnailUrl} controls autoPlay className="max-h-[80vh] max-w-full rounded" data-testid="lightbox-video">
          <track kind="captions" />
        </video>
      ) : (
        // eslint-disable-next-line @next/next/no-img-element
        <img key={item.id} src={item.url} alt={item.name} className="max-h-[80vh] max-w-full rounded object-contain" data-testid="lightbox-image" />
      )}
    </div>
  );
}

/** "Add to knowledge base": a small menu of the viewer's own bases; the document is copied into the one chosen. */
const AddToKnowledge = observer(function AddToKnowledge({ attachment }: { attachment: AttachmentJson }) {
  const root = useStores();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const bases = useQuery({ ...knowledgeListQuery(root), enabled: open, staleTime: 30_000 });
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const away = (event: MouseEvent) => !menu.current?.contains(event.target as Node) && setOpen(false);
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  async function add(knowledgeBaseId: string, name: string) {
    setBusy(true);
    setOutcome(null);
    try {
      await root.http.post(`/api/attachments/${attachment.id}/knowledge`, { knowledgeBaseId });
      setOutcome({ ok: true, text: `Added to ${name}; it is being indexed.` });
      setOpen(false);
      void root.queryClient.invalidateQueries({ queryKey: ['knowledge'] });
    } catch (error) {
      setOutcome({ ok: false, text: toApiError(error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div
      ref={menu}
      className="relative"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.stopPropagation();
          setOpen(false);
        }
      }}
    >
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`More for ${attachment.name}`}
        onClick={() => setOpen((value) => !value)}
        data-testid="attachment-menu"
        className="rounded px-1.5 py-0.5 text-gray-500 hover:bg-gray-200 hover:text-gray-900 dark:hover:bg-gray-700 dark:hover:text-gray-100"
      >
        ⋯
      </button>
      {open && (
        <div role="menu" aria-label="Add to knowledge base" className="absolute left-0 top-full z-20 mt-1 w-64 rounded-lg border border-gray-200 bg-white py-1 text-sm shadow-lg dark:border-gray-700 dark:bg-gray-800">
          <p className="px-3 py-1 text-xs font-semibold uppercase text-gray-500">Add to knowledge base</p>
          {bases.isPending && <p className="px-3 py-1.5 text-gray-500">Loading…</p>}
          {bases.error && <p className="px-3 py-1.5 text-red-600" role="alert">{toApiError(bases.error).message}</p>}
          {bases.data?.knowledgeBases.length === 0 && <p className="px-3 py-1.5 text-gray-500">You have no knowledge bases yet; make one on the Knowledge page.</p>}
          {bases.data?.knowledgeBases.map((base) => (
            <button
              key={base.id}
              type="button"
              role="menuitem"
              disabled={busy}
              onClick={() => void add(base.id, base.name)}
              data-testid="add-to-knowledge"
              className="block w-full truncate px-3 py-1.5 text-left hover:bg-gray-100 disabled:opacity-60 dark:hover:bg-gray-700"
            >
              {base.name}
            </button>
          ))}
        </div>
      )}
      {outcome && (
        <p role={outcome.ok ? 'status' : 'alert'} className={`absolute left-0 top-full z-10 mt-1 w-64 rounded bg-white px-2 py-1 text-xs shadow dark:bg-gray-800 ${outcome.ok ? 'text-emerald-700 dark:text-emerald-300' : 'text-red-600 dark:text-red-400'}`}>
          {outcome.text}
        </p>
      )}
    </div>
  );
});

function DocumentChip({ attachment }: { attachment: AttachmentJson }) {
  const extension = attachment.name.includes('.') ? attachment.name.split('.').pop()!.slice(0, 4) : 'file';
  return (
    <li className="flex max-w-xs items-center gap-1 rounded-lg border border-gray-200 bg-gray-50 py-1 pl-2 pr-1 text-sm dark:border-gray-700 dark:bg-gray-800" data-testid="attachment-document">
      <a href={attachment.url} download={attachment.name} className="flex min-w-0 items-center gap-2 hover:underline">
        <span className="flex h-8 w-8 shrink-0 items-center justify-center rounded bg-sky-100 text-[0.6rem] font-semibold uppercase text-sky-800 dark:bg-sky-900/60 dark:text-sky-200" aria-hidden>
          {extension}
        </span>
        <span className="min-w-0">
          <span className="block truncate font-medium">{attachment.name}</span>
          <span className="block text-xs text-gray-500">{describeBytes(attachment.bytes)}</span>
        </span>
      </a>
      <AddToKnowledge attachment={attachment} />
    </li>
  );
}

/** A message's files: images and videos as previews that open in the lightbox, documents as chips that download. */
export function MessageAttachments({ message }: { message: Message }) {
  const [open, setOpen] = useState<number | null>(null);
  const all = message.attachments ?? [];
  if (all.length === 0) return null;
  const media = all.filter((a) => isImage(a) || isVideo(a));
  const documents = all.filter((a) => !isImage(a) && !isVideo(a));
  return (
    <div className="mt-1 space-y-1.5" data-testid="message-attachments">
      {media.length > 0 && (
        <ul className="flex flex-wrap gap-2">
          {media.map((attachment, index) => {
            const size = previewSize(attachment);
            const video = isVideo(attachment);
            const label = video ? `Play video ${attachment.name}${attachment.durationMs ? ` (${formatDuration(attachment.durationMs)})` : ''}` : `Open image ${attachment.name}`;
            return (
              <li key={attachment.id}>
                <button
                  type="button"
                  onClick={() => setOpen(index)}
                  aria-label={label}
                  data-testid={video ? 'attachment-video' : 'attachment-image'}
                  className="relative block overflow-hidden rounded-lg border border-gray-200 bg-gray-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:border-gray-700 dark:bg-gray-800"
                  style={size}
                >
                  {attachment.thumbnailUrl || !video ? (
                    // eslint-disable-next-line @next/next/no-img-element
                    <img src={attachment.thumbnailUrl ?? attachment.url} alt={attachment.name} loading="lazy" className="h-full w-full object-cover" />
                  ) : (
                    <span className="flex h-full w-full items-center justify-center text-xs text-gray-500">{attachment.name}</span>
                  )}
                  {video && (
                    <>
                      <span className="absolute inset-0 flex items-center justify-center" aria-hidden>
                        <span className="flex h-10 w-10 items-center justify-center rounded-full bg-black/60 text-lg text-white">▶</span>
                      </span>
                      {attachment.durationMs !== undefined && (
                        <span className="absolute bottom-1 right-1 rounded bg-black/70 px-1 text-[0.65rem] text-white" aria-hidden>
                          {formatDuration(attachment.durationMs)}
                        </span>
                      )}
                    </>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {documents.length > 0 && (
        <ul className="flex flex-wrap gap-2">
          {documents.map((attachment) => (
            <DocumentChip key={attachment.id} attachment={attachment} />
          ))}
        </ul>
      )}
      {open !== null && media[open] && <Lightbox items={media} index={open} onIndex={setOpen} onClose={() => setOpen(null)} />}
    </div>
  );
}
