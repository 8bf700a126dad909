import { z } from 'zod';
import { json, parseQuery, sessionRoute } from '@/lib/http/route';
import { usageRanges, usageSummary, type UsageRange } from '@/lib/usage';

const usageQuery = z.object({
  range: z.enum(Object.keys(usageRanges) as [UsageRange, ...UsageRange[]], { error: 'Use range=24h, 7d or 30d.' }).default('24h'),
});

export const GET = sessionRoute(async ({ req, user }) => {
  const { range } = parseQuery(req, usageQuery);
  return json(await usageSummary({ userId: user.id, range }));
});
