import { notFound } from '@/lib/http/errors';
import { publicRoute } from '@/lib/http/route';

// Unknown API paths answer the same JSON error body as every other route, not an HTML page.
const missing = publicRoute(async () => {
  throw notFound('Route');
});

export { missing as GET, missing as POST, missing as PUT, missing as PATCH, missing as DELETE };
