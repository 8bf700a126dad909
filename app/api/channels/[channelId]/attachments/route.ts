import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { attachmentLimitsFor, receiveAttachment } from '@/lib/attachments';

type Params = { channelId: string };

// A large video streams in, is measured by ffmpeg and stored before the answer.
export const maxDuration = 120;

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<Params>(async ({ user, params }) => json({ limits: await attachmentLimitsFor({ userId: user.id, channelId: params.channelId }) })),

  POST: sessionRoute<Params>(
    async ({ req, user, params }) => json({ attachment: await receiveAttachment({ userId: user.id, channelId: params.channelId, request: req }) }, 201),
    { body: 'upload' },
  ),
});
