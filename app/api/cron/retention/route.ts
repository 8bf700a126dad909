import { requireCronSecret } from '@/lib/auth/cron';
import { json, methods, publicRoute } from '@/lib/http/route';
import { runMaintenance } from '@/lib/messages/retention';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  // Vercel Cron calls this with `Authorization: Bearer $CRON_SECRET` (see vercel.json).
  GET: publicRoute(async ({ req }) => {
    requireCronSecret(req);
    return json(await runMaintenance());
  }),
});
