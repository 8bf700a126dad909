import Redis from 'ioredis';
import { closeRedisClient } from '@/lib/cache/redis';
import { memberChannelIds } from '@/lib/channels/access';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { verifyRealtimeToken } from '@/lib/realtime/token';
import type { RealtimeDeps } from './create-realtime-server';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The realtime server's dependencies as the hub runs it: tokens, membership, origins, Redis. */
export function realtimeDepsFromEnv(): RealtimeDeps & { closeRedis(): Promise<void> } {
  const config = env();
  const allowed = new Set(config.realtimeOrigins);
  const redis = config.REDIS_URL ? { pub: new Redis(config.REDIS_URL), sub: new Redis(config.REDIS_URL) } : undefined;
  redis?.pub.on('error', () => {});
  redis?.sub.on('error', () => {});
  return {
    verifyToken: verifyRealtimeToken,
    memberChannels: async (args) => memberChannelIds(await getDb(), args),
    isAllowedOrigin: (origin) => {
      if (allowed.has(origin)) return true;
      // In development any local port may host the hub (PORT changes, 127.0.0.1 vs localhost).
      if (config.isProduction) return false;
      try {
        return LOCAL_HOSTS.has(new URL(origin).hostname);
      } catch {
        return false;
      }
    },
    redis,
    limits: { socketsPerUser: config.REALTIME_MAX_SOCKETS_PER_USER },
    closeRedis: async () => {
      if (redis) await Promise.all([closeRedisClient(redis.pub), closeRedisClient(redis.sub)]);
    },
  };
}
