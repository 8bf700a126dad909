import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { listDocuments, receiveDocuments } from '@/lib/knowledge';
import { addDocumentInput } from '@/lib/knowledge/schemas';

type Params = { knowledgeBaseId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<Params>(async ({ user, params }) => json({ documents: await listDocuments({ userId: user.id, knowledgeBaseId: params.knowledgeBaseId }) })),

  POST: sessionRoute<Params>(
    async ({ req, body, user, params }) => {
      const documents = await receiveDocuments({ userId: user.id, knowledgeBaseId: params.knowledgeBaseId, req, readJson: () => body(addDocumentInput) });
      return json({ documents }, 202);
    },
    { body: 'upload' },
  ),
});
