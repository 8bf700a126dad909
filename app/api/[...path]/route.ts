import { notFound } from '@/lib/http/errors';
import { publicRoute } from '@/lib/http/route';

// Unknown API paths answer the same JSON error body as every other route, not an HTML page, for
// every method: no method is "not allowed" on a path that does not exist.
const missing = publicRoute(async () => {
  throw notFound('Route');
});

export { missing as GET, missing as HEAD, missing as OPTIONS, missing as POST, missing as PUT, missing as PATCH, missing as DELETE };
