import { json, methods, publicRoute } from '@/lib/http/route';
import { openApiDocument } from '@/lib/public-api/openapi';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  /** The OpenAPI 3.1 document, public, generated from the zod schemas. */
  GET: publicRoute(async ({ req }) => json(openApiDocument(`${req.nextUrl.origin}/api/v1`), { headers: { 'Cache-Control': 'public, max-age=300' } })),
});
