import { requireCronSecret } from '@/lib/auth/cron';
import { json, publicRoute } from '@/lib/http/route';
import { runMaintenance } from '@/lib/messages/retention';

// Vercel Cron calls this with `Authorization: Bearer $CRON_SECRET` (see vercel.json).
export const GET = publicRoute(async ({ req }) => {
  requireCronSecret(req);
  return json(await runMaintenance());
});
