import { sessionRoute } from '@/lib/auth/route';
import { json, methods, noContent } from '@/lib/http/route';
import { deleteDocument, getDocument } from '@/lib/knowledge';

type Params = { knowledgeBaseId: string; documentId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<Params>(async ({ user, params }) => json({ document: await getDocument({ userId: user.id, ...params }) })),

  DELETE: sessionRoute<Params>(async ({ user, params }) => {
    await deleteDocument({ userId: user.id, ...params });
    return noContent();
  }),
});
