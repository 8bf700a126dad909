import { sessionRoute } from '@/lib/auth/route';
import { methods } from '@/lib/http/route';
import { readDocumentFile } from '@/lib/knowledge';

type Params = { knowledgeBaseId: string; documentId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<Params>(async ({ user, params }) => {
    const file = await readDocumentFile({ userId: user.id, ...params });
    // Opened inline (a PDF at its cited page), never sniffed or run as the hub's own page.
    const inlineTypes = ['application/pdf', 'text/plain', 'text/markdown'];
    const type = inlineTypes.includes(file.mimeType) ? file.mimeType : 'application/octet-stream';
    return new Response(new Uint8Array(file.bytes), {
      headers: {
        'Content-Type': type === 'application/pdf' ? type : type === 'application/octet-stream' ? type : `${type}; charset=utf-8`,
        'Content-Length': String(file.bytes.length),
        'Content-Disposition': `${type === 'application/octet-stream' ? 'attachment' : 'inline'}; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        'X-Content-Type-Options': 'nosniff',
        // Browsers refuse to show a PDF under a sandbox policy (their viewer isolates it anyway); text and downloads get one.
        ...(type === 'application/pdf' ? {} : { 'Content-Security-Policy': "default-src 'none'; sandbox" }),
        'Cache-Control': 'private, max-age=300',
      },
    });
  }),
});
