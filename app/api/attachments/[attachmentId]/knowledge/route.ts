import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { addAttachmentToKnowledge } from '@/lib/attachments';
import { addToKnowledgeInput } from '@/lib/attachments/schemas';

type Params = { attachmentId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  POST: sessionRoute<Params>(async ({ body, user, params }) => {
    const { knowledgeBaseId } = await body(addToKnowledgeInput);
    return json({ documents: await addAttachmentToKnowledge({ userId: user.id, attachmentId: params.attachmentId, knowledgeBaseId }) }, 202);
  }),
});
