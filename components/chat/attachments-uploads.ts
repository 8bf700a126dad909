'use client';

import { makeAutoObservable, runInAction } from 'mobx';
import type { AttachmentJson } from '@/lib/contracts/abilities';
import type { AttachmentLimits, MessageJson } from '@/lib/contracts/messages';
import { describeBytes } from '@/lib/bytes';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { queryKeys } from '@/stores/query-keys';
import type { RootStore } from '@/stores/root-store';

/** A file picked, dropped or pasted into a channel's composer: uploading, uploaded, or refused with a reason. */
export type PendingUpload = {
  key: string;
  channelId: string;
  name: string;
  bytes: number;
  isImage: boolean;
  state: 'uploading' | 'done' | 'failed';
  /** Fraction of the bytes sent (0..1). */
  sent: number;
  error?: string;
  attachment?: AttachmentJson;
  /** A local preview (object URL) of an image, shown before the server's thumbnail exists. */
  preview?: string;
};

/** What the file picker offers; anything else dropped or pasted still goes up and the server says why it is refused. */
export const ATTACH_ACCEPT =
  'image/png,image/jpeg,image/webp,image/gif,video/mp4,video/webm,video/quicktime,.mov,.pdf,.docx,.html,.htm,.md,.markdown,.txt,application/pdf,text/plain,text/markdown,text/html';

const isVideo = (file: File) => file.type.startsWith('video/') || /\.(mp4|webm|mov)$/i.test(file.name);

/**
 * The composer's attachments, per channel: each file uploads as soon as it is chosen (its own
 * request, with progress), so Send only names what is already stored. A send with attachments
 * keeps one clientId until it succeeds, so pressing Send again after a failure never stores two
 * messages. Client state, kept for the life of the page like drafts (one instance per RootStore).
 */
export class AttachmentUploads {
  uploads: PendingUpload[] = [];
  private limits?: Promise<AttachmentLimits | undefined>;
  private aborts = new Map<string, AbortController>();
  private clientIds = new Map<string, string>();
  sending = new Set<string>();
  sendError = new Map<string, string>();

  constructor(private readonly root: RootStore) {
    makeAutoObservable<AttachmentUploads, 'root' | 'aborts' | 'clientIds' | 'limits'>(this, { root: false, aborts: false, clientIds: false, limits: false });
  }

  of(channelId: string): PendingUpload[] {
    return this.uploads.filter((upload) => upload.channelId === channelId);
  }

  /** Ids of the uploads ready to send with the next message. */
  readyIds(channelId: string): string[] {
    return this.of(channelId).flatMap((upload) => (upload.state === 'done' && upload.attachment ? [upload.attachment.id] : []));
  }

  uploading(channelId: string): boolean {
    return this.of(channelId).some((upload) => upload.state === 'uploading');
  }

  private limitsOf(channelId: string): Promise<AttachmentLimits | undefined> {
    this.limits ??= this.root.http
      .get<{ limits: AttachmentLimits }>(`/api/channels/${channelId}/attachments`)
      .then(({ data }) => data.limits)
      .catch(() => {
        this.limits = undefined; // asked again next time; the server applies its limits anyway
        return undefined;
      });
    return this.limits;
  }

  /** Adds files to a channel's next message; each one starts uploading at once. */
  async add(channelId: string, files: File[]): Promise<void> {
    const limits = await this.limitsOf(channelId);
    runInAction(() => this.enqueue(channelId, files, limits));
  }

  private enqueue(channelId: string, files: File[], limits: AttachmentLimits | undefined) {
    for (const file of files) {
      const key = crypto.randomUUID();
      const isImage = file.type.startsWith('image/') && file.type !== 'image/svg+xml';
      const upload: PendingUpload = { key, channelId, name: file.name || 'pasted image', bytes: file.size, isImage, state: 'uploading', sent: 0 };
      const count = this.of(channelId).filter((u) => u.state !== 'failed').length;
      const refusal = !limits
        ? undefined
        : count >= limits.perMessage
          ? `A message can carry at most ${limits.perMessage} attachments.`
          : isVideo(file) && file.size > limits.maxVideoBytes
            ? `${upload.name} is larger than ${describeBytes(limits.maxVideoBytes)}, the limit for a video.`
            : !isVideo(file) && file.size > limits.maxBytes
              ? `${upload.name} is larger than ${describeBytes(limits.maxBytes)}, the limit for an image or a document.`
              : undefined;
      if (refusal) {
        // The server would refuse it too, after the whole file went up (or by closing the connection mid-upload).
        this.uploads.push({ ...upload, state: 'failed', error: refusal });
        continue;
      }
      if (isImage && typeof URL.createObjectURL === 'function') upload.preview = URL.createObjectURL(file);
      this.uploads.push(upload);
      void this.send(key, file);
    }
  }

  private find(key: string): PendingUpload | undefined {
    return this.uploads.find((upload) => upload.key === key);
  }

  private async send(key: string, file: File) {
    const abort = new AbortController();
    this.aborts.set(key, abort);
    const form = new FormData();
    form.append('file', file, file.name || 'pasted-image.png');
    const channelId = this.find(key)!.channelId;
    try {
      const { data } = await this.root.http.post<{ attachment: AttachmentJson }>(`/api/channels/${channelId}/attachments`, form, {
        // The client's JSON default would turn the form into JSON; this lets the browser set the boundary.
        headers: { 'content-type': 'multipart/form-data' },
        timeout: 0,
        signal: abort.signal,
        onUploadProgress: (event) => {
          const total = event.total ?? file.size;
          runInAction(() => {
            const upload = this.find(key);
            if (upload) upload.sent = total > 0 ? Math.min(1, event.loaded / total) : 1;
          });
        },
      });
      runInAction(() => {
        const upload = this.find(key);
        if (upload) Object.assign(upload, { state: 'done', sent: 1, attachment: data.attachment });
      });
      // Removed while its last bytes went up: the stored copy is taken back too.
      if (!this.find(key)) void this.root.http.delete(`/api/attachments/${data.attachment.id}`).catch(() => {});
    } catch (error) {
      if (abort.signal.aborted) return;
      const apiError = toApiError(error);
      runInAction(() => {
        const upload = this.find(key);
        if (upload) Object.assign(upload, { state: 'failed', error: apiError.message });
      });
    } finally {
      this.aborts.delete(key);
    }
  }

  /** The chip's ×: stops an upload in flight, or takes back a stored one (never sent, so nobody else saw it). */
  remove(key: string) {
    const upload = this.find(key);
    if (!upload) return;
    this.aborts.get(key)?.abort();
    if (upload.state === 'done' && upload.attachment) void this.root.http.delete(`/api/attachments/${upload.attachment.id}`).catch(() => {});
    this.forget([upload]);
  }

  private forget(gone: PendingUpload[]) {
    for (const upload of gone) if (upload.preview) URL.revokeObjectURL?.(upload.preview);
    const keys = new Set(gone.map((upload) => upload.key));
    this.uploads = this.uploads.filter((upload) => !keys.has(upload.key));
  }

  /**
   * Sends the message with the channel's uploaded files. The files and the text stay in the
   * composer until the server has the message; a failure says why, and Send tries again with the
   * same clientId. Answers whether it was sent.
   */
  async sendMessage(channelId: string, content: string): Promise<boolean> {
    if (this.sending.has(channelId)) return false;
    const attachmentIds = this.readyIds(channelId);
    let clientId = this.clientIds.get(channelId);
    if (!clientId) {
      clientId = crypto.randomUUID();
      this.clientIds.set(channelId, clientId);
    }
    this.sending.add(channelId);
    this.sendError.delete(channelId);
    try {
      const { data } = await this.root.http.post<{ message: MessageJson }>(`/api/channels/${channelId}/messages`, { content, clientId, attachmentIds });
      await this.root.queryClient.cancelQueries({ queryKey: queryKeys.messages(channelId) });
      if (!this.root.messages.upsert(data.message)) await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.messages(channelId) });
      runInAction(() => {
        this.clientIds.delete(channelId);
        this.forget(this.of(channelId).filter((upload) => upload.state === 'done'));
      });
      return true;
    } catch (error) {
      const apiError = toApiError(error);
      // A refusal of the content or the files needs a change first: a new send gets a new clientId.
      if (!apiError.retryable) this.clientIds.delete(channelId);
      runInAction(() => this.sendError.set(channelId, apiError.message));
      return false;
    } finally {
      runInAction(() => this.sending.delete(channelId));
    }
  }
}

const instances = new WeakMap<RootStore, AttachmentUploads>();

/** The page's one AttachmentUploads (made on first use, beside the RootStore). */
export function useAttachmentUploads(): AttachmentUploads {
  const root = useStores();
  let uploads = instances.get(root);
  if (!uploads) {
    uploads = new AttachmentUploads(root);
    instances.set(root, uploads);
  }
  return uploads;
}
