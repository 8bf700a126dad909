// @ts-check
const { defineConfig } = require('drizzle-kit');

module.exports = defineConfig({
  dialect: 'postgresql',
  schema: './lib/db/schema.ts',
  out: './supabase/migrations',
  // Timestamp-prefixed file names, so `supabase db push` applies the same files.
  migrations: { prefix: 'supabase' },
});
