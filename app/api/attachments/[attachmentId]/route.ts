import { sessionRoute } from '@/lib/auth/route';
import { methods, noContent } from '@/lib/http/route';
import { attachmentResponse, readAttachment, removeUpload } from '@/lib/attachments';

type Params = { attachmentId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<Params>(async ({ req, user, params }) => {
    const query = req.nextUrl.searchParams;
    const variant = query.get('thumbnail') === '1' ? 'thumbnail' : query.get('frames') === '1' ? 'frames' : 'file';
    return attachmentResponse(await readAttachment({ userId: user.id, attachmentId: params.attachmentId, variant }), req);
  }),

  DELETE: sessionRoute<Params>(async ({ user, params }) => {
    await removeUpload({ userId: user.id, attachmentId: params.attachmentId });
    return noContent();
  }),
});
