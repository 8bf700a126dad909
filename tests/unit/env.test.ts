import path from 'node:path';
import { env, EnvError, parseEnv, resetEnv } from '@/lib/env';

function parseError(source: Record<string, string | undefined>): EnvError {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return error as EnvError;
  }
  throw new Error('parseEnv accepted an invalid environment');
}

describe('parseEnv', () => {
  it('defaults to embedded PGlite, local sign-in and development settings', () => {
    const parsed = parseEnv({});
    expect(parsed.database).toEqual({ kind: 'pglite', dataDir: path.resolve('.data/pglite'), sharedBuffersMb: 64 });
    expect(path.isAbsolute((parsed.database as { dataDir: string }).dataDir)).toBe(true);
    expect(parsed.auth).toEqual({ kind: 'local' });
    expect(parsed).toEqual(
      expect.objectContaining({ NODE_ENV: 'development', PORT: 3000, HOST: '0.0.0.0', SESSION_TTL_DAYS: 30, isProduction: false }),
    );
  });

  it('treats empty or blank variables as unset', () => {
    const parsed = parseEnv({ DATABASE_URL: '', CLERK_SECRET_KEY: '   ', NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: '' });
    expect(parsed.database.kind).toBe('pglite');
    expect(parsed.auth).toEqual({ kind: 'local' });
  });

  it('uses PGLITE_DIR for the embedded database', () => {
    expect(parseEnv({ PGLITE_DIR: 'tmp/db' }).database).toEqual({ kind: 'pglite', dataDir: path.resolve('tmp/db'), sharedBuffersMb: 64 });
  });

  it('sizes the embedded page cache from PGLITE_SHARED_BUFFERS_MB, and names a bad value', () => {
    expect(parseEnv({ PGLITE_SHARED_BUFFERS_MB: '256' }).database).toEqual(expect.objectContaining({ sharedBuffersMb: 256 }));
    for (const bad of ['8', 'lots', '1.5']) expect(parseError({ PGLITE_SHARED_BUFFERS_MB: bad }).message).toContain('PGLITE_SHARED_BUFFERS_MB');
  });

  it('picks real Postgres when DATABASE_URL is set', () => {
    for (const url of ['postgres://postgres@127.0.0.1:5432/test', 'postgresql://user:pw@db.example.supabase.co:6543/postgres?sslmode=require']) {
      expect(parseEnv({ DATABASE_URL: url }).database).toEqual({ kind: 'postgres', url });
    }
    expect(parseEnv({ DATABASE_URL: '  postgres://localhost/db  ' }).database).toEqual({ kind: 'postgres', url: 'postgres://localhost/db' });
  });

  it('refuses an invalid DATABASE_URL, naming the variable', () => {
    for (const url of ['not a url', 'localhost:5432', 'https://example.com/db', 'mysql://root@localhost/app']) {
      expect(parseError({ DATABASE_URL: url }).message).toMatch(/DATABASE_URL/);
    }
  });

  it('refuses only one of the two Clerk keys, naming them', () => {
    const onlySecret = parseError({ CLERK_SECRET_KEY: 'sk_test_x' });
    expect(onlySecret.message).toMatch(/CLERK_SECRET_KEY/);
    expect(onlySecret.message).toMatch(/NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY/);
    const onlyPublishable = parseError({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'pk_test_x' });
    expect(onlyPublishable.message).toMatch(/NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY/);
  });

  it('picks Clerk when both keys are set, with an unescaped JWT key and trimmed authorized parties', () => {
    const parsed = parseEnv({
      CLERK_SECRET_KEY: 'sk_test_x',
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'pk_test_x',
      CLERK_JWT_KEY: '-----BEGIN PUBLIC KEY-----\\nABC\\n-----END PUBLIC KEY-----',
      CLERK_AUTHORIZED_PARTIES: ' https://a.example , ,https://b.example ',
    });
    expect(parsed.auth).toEqual({
      kind: 'clerk',
      secretKey: 'sk_test_x',
      publishableKey: 'pk_test_x',
      jwtKey: '-----BEGIN PUBLIC KEY-----\nABC\n-----END PUBLIC KEY-----',
      authorizedParties: ['https://a.example', 'https://b.example'],
    });
    const minimal = parseEnv({ CLERK_SECRET_KEY: 'sk', NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'pk' }).auth;
    expect(minimal).toEqual({ kind: 'clerk', secretKey: 'sk', publishableKey: 'pk', jwtKey: undefined, authorizedParties: [] });
  });

  it('requires CLERK_AUTHORIZED_PARTIES for Clerk in production', () => {
    const clerk = { CLERK_SECRET_KEY: 'sk_live_x', NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'pk_live_x' };
    expect(() => parseEnv({ ...clerk, NODE_ENV: 'production' })).toThrow(/CLERK_AUTHORIZED_PARTIES/);
    expect(parseEnv({ ...clerk, NODE_ENV: 'production', CLERK_AUTHORIZED_PARTIES: 'https://hub.example.com' }).auth.kind).toBe('clerk');
    expect(parseEnv({ ...clerk, NODE_ENV: 'development' }).auth.kind).toBe('clerk');
  });

  it('coerces and bounds numbers, and names every bad variable at once', () => {
    expect(parseEnv({ PORT: '8080', SESSION_TTL_DAYS: '7', NODE_ENV: 'production' })).toEqual(
      expect.objectContaining({ PORT: 8080, SESSION_TTL_DAYS: 7, isProduction: true }),
    );
    const error = parseError({ PORT: 'eighty', SESSION_TTL_DAYS: '0', NODE_ENV: 'staging' });
    expect(error.message).toMatch(/PORT/);
    expect(error.message).toMatch(/SESSION_TTL_DAYS/);
    expect(error.message).toMatch(/NODE_ENV/);
    expect(parseError({ PORT: '70000' }).message).toMatch(/PORT/);
  });
});

describe('env()', () => {
  const saved = process.env.SESSION_TTL_DAYS;
  afterEach(() => {
    if (saved === undefined) delete process.env.SESSION_TTL_DAYS;
    else process.env.SESSION_TTL_DAYS = saved;
    resetEnv();
  });

  it('parses process.env once and again after resetEnv()', () => {
    process.env.SESSION_TTL_DAYS = '3';
    resetEnv();
    const first = env();
    expect(first.SESSION_TTL_DAYS).toBe(3);
    process.env.SESSION_TTL_DAYS = '4';
    expect(env()).toBe(first);
    resetEnv();
    expect(env().SESSION_TTL_DAYS).toBe(4);
  });
});
