import 'server-only';

/*
 * Files attached to channel messages (issue 11, point 4): images, videos and documents uploaded
 * into a channel, measured and given thumbnails, claimed by the message that carries them, served
 * to the channel's members only, and removed with their message or channel.
 */

export { readAttachmentBytes, requireVisibleAttachment } from './access';
export { ACCEPTED, attachmentLimits, detectAttachment, maxBytesFor, type AttachmentKind } from './detect';
export { attachmentUrl, framesKey, framesUrl, toAttachmentJson } from './format';
export { attachmentsOf, claimAttachments, releaseAttachments, removeReleased, sweepAttachments, TOMBSTONE, UNSENT_TTL_MS } from './lifecycle';
export { addAttachmentToKnowledge, attachmentLimitsFor, deleteChannelWithAttachments, removeUpload } from './manage';
export { receiveAttachment, storeAttachment } from './receive';
export { attachmentResponse, readAttachment, type AttachmentFile, type AttachmentVariant } from './serve';

