import { keyRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { receiveDocuments } from '@/lib/knowledge';
import { addDocumentInput } from '@/lib/knowledge/schemas';

type Params = { knowledgeBaseId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  POST: keyRoute<Params>(
    'knowledge:write',
    async ({ req, body, caller, params }) => {
      const documents = await receiveDocuments({ userId: caller.user.id, knowledgeBaseId: params.knowledgeBaseId, req, readJson: () => body(addDocumentInput) });
      return json({ documents }, 202);
    },
    { body: 'upload' },
  ),
});
