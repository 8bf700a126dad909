import type { ApiKeyScope } from '@/lib/db/schema';

/** An API key as its owner sees it: never the secret. */
export type KeyJson = {
  id: string;
  name: string;
  partial: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
};
