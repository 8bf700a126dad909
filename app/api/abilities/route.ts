import { listAbilities } from '@/lib/abilities/catalog';
import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute(async () => json({ abilities: await listAbilities() })),
});
