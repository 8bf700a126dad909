import { eq } from 'drizzle-orm';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { users } from '@/lib/db/schema';
import { resetEnv } from '@/lib/env';
import { newId } from '@/lib/ids';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';

const ISSUER = 'https://clerk.example.test';
const CLERK_VARS = ['CLERK_SECRET_KEY', 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', 'CLERK_JWT_KEY', 'CLERK_AUTHORIZED_PARTIES'] as const;

type Claims = { sub: string; email?: string; email_verified?: boolean; name?: string; azp?: string; iat?: number; nbf?: number; exp?: number };

describe.each(testDatabaseKinds())('Clerk sign-in over HTTP (%s)', (kind) => {
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;
  const saved: Partial<Record<(typeof CLERK_VARS)[number], string>> = {};

  // Registered before useHub, so the environment is in place before the hub starts serving.
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    signingKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    for (const name of CLERK_VARS) saved[name] = process.env[name];
    process.env.CLERK_SECRET_KEY = 'sk_test_x';
    process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY = 'pk_test_x';
    process.env.CLERK_JWT_KEY = await exportSPKI(pair.publicKey);
    delete process.env.CLERK_AUTHORIZED_PARTIES;
    resetEnv();
  });

  afterAll(() => {
    for (const name of CLERK_VARS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    resetEnv();
  });

  const hub = useHub(kind);

  async function token(claims: Claims, key: CryptoKey = signingKey) {
    const now = Math.floor(Date.now() / 1000);
    const { sub, iat = now - 10, nbf = now - 10, exp = now + 60, ...custom } = claims;
    return new SignJWT({ sid: `sess_${sub.slice(5)}`, ...custom })
      .setProtectedHeader({ alg: 'RS256', kid: 'ins_test_key', typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setIssuedAt(iat)
      .setNotBefore(nbf)
      .setExpirationTime(exp)
      .sign(key);
  }

  const asCookie = (value: string) => ({ cookie: `__session=${value}` });
  const asBearer = (value: string) => ({ authorization: `Bearer ${value}` });
  const me = (headers: Record<string, string>) => hub.client().request('GET', '/api/me', undefined, headers);

  it('accepts a valid token in the __session cookie or a Bearer header and mirrors the user once', async () => {
    const claims = { sub: 'user_2abcCookie', email: 'Clara.Clerk@Example.com', name: '  Clara Clerk ' };
    const first = await me(asCookie(await token(claims)));
    expect(first.status).toBe(200);
    expect(first.json.user).toEqual({ id: expect.any(String), name: 'Clara Clerk', email: 'clara.clerk@example.com' });

    const second = await me(asBearer(await token(claims)));
    expect(second.status).toBe(200);
    expect(second.json.user).toEqual(first.json.user);

    const rows = await hub.db.db.select().from(users).where(eq(users.clerkId, claims.sub));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual(expect.objectContaining({ id: first.json.user.id, passwordHash: null }));
  });

  it('mirrors a first sighting only once even when requests race', async () => {
    const jwt = await token({ sub: 'user_2abcRace', email: 'race@example.com', name: 'Racer' });
    const answers = await Promise.all(Array.from({ length: 5 }, () => me(asBearer(jwt))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.json.user.id)).size).toBe(1);
    expect(await hub.db.db.select().from(users).where(eq(users.clerkId, 'user_2abcRace'))).toHaveLength(1);
  });

  it('names a user after their email when the token carries no name', async () => {
    const res = await me(asBearer(await token({ sub: 'user_2abcNoName', email: 'quiet.one@example.com' })));
    expect(res.status).toBe(200);
    expect(res.json.user).toEqual(expect.objectContaining({ name: 'quiet.one', email: 'quiet.one@example.com' }));
  });

  it('links a Clerk user to an existing account with the same email', async () => {
    const id = newId();
    await hub.db.db.insert(users).values({ id, name: 'Local Larry', email: 'larry@example.com' });
    const res = await me(asCookie(await token({ sub: 'user_2abcLarry', email: 'LARRY@example.com', name: 'Larry' })));
    expect(res.status).toBe(200);
    expect(res.json.user).toEqual({ id, name: 'Local Larry', email: 'larry@example.com' });
    expect(await hub.db.db.select().from(users).where(eq(users.email, 'larry@example.com'))).toHaveLength(1);
  });

  it('never hands an account already linked to one Clerk user to another with the same email', async () => {
    const first = await me(asCookie(await token({ sub: 'user_2abcFirst', email: 'shared@example.com', name: 'First' })));
    expect(first.status).toBe(200);
    const second = await me(asCookie(await token({ sub: 'user_2abcSecond', email: 'shared@example.com', name: 'Second' })));
    expect(second.status).toBe(409);
    const again = await me(asCookie(await token({ sub: 'user_2abcFirst', email: 'shared@example.com', name: 'First' })));
    expect(again.json.user.id).toBe(first.json.user.id);
    const [row] = await hub.db.db.select().from(users).where(eq(users.email, 'shared@example.com'));
    expect(row!.clerkId).toBe('user_2abcFirst');
  });

  it('does not link an unverified email to an existing account; it answers a clear 409 instead', async () => {
    const id = newId();
    await hub.db.db.insert(users).values({ id, name: 'Local Uma', email: 'uma@example.com' });
    const res = await me(asCookie(await token({ sub: 'user_2abcUma', email: 'uma@example.com', name: 'Uma', email_verified: false })));
    expect(res.status).toBe(409);
    expect(res.json.error.message).toMatch(/already uses this email/);
    const [row] = await hub.db.db.select().from(users).where(eq(users.id, id));
    expect(row!.clerkId).toBeNull();
  });

  it('refuses tokens signed with another key, expired, not yet valid, or garbage with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const base = { sub: 'user_2abcBad', email: 'bad@example.com' };
    const valid = await token(base);
    const [header, payload] = valid.split('.');
    const refused = [
      await token(base, strangerKey),
      await token({ ...base, iat: now - 600, nbf: now - 600, exp: now - 300 }),
      await token({ ...base, nbf: now + 600, exp: now + 900 }),
      `${header}.${payload}.`,
      `${header}.${Buffer.from(JSON.stringify({ sub: 'user_2abcForged', exp: now + 60 })).toString('base64url')}.${valid.split('.')[2]}`,
      'garbage',
      'a.b.c',
    ];
    for (const bad of refused) {
      for (const headers of [asCookie(bad), asBearer(bad)]) {
        const res = await me(headers);
        expect(res.status).toBe(401);
        expect(res.json).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
      }
    }
    const none = await me({});
    expect(none.status).toBe(401);
    // None of the refused tokens created a user.
    expect(await hub.db.db.select().from(users).where(eq(users.email, 'bad@example.com'))).toEqual([]);
  });

  it('prefers a Bearer token over a stale __session cookie, as Clerk does', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'user_2abcStale', email: 'stale@example.com', name: 'Stale' };
    // Clerk session tokens live about a minute: a browser tab often still holds an expired cookie.
    const expired = await token({ ...claims, iat: now - 600, nbf: now - 600, exp: now - 300 });
    const res = await me({ ...asCookie(expired), ...asBearer(await token(claims)) });
    expect(res.status).toBe(200);
    expect(res.json.user.email).toBe('stale@example.com');
  });

  it('ignores the local session cookie while Clerk is configured', async () => {
    const res = await me({ cookie: 'nc_session=whatever' });
    expect(res.status).toBe(401);
  });

  it('answers 404 on the local sign-up, sign-in and sign-out routes', async () => {
    const client = hub.client();
    const answers = [
      await client.post('/api/auth/sign-up', { name: 'Local', email: 'local@example.com', password: 'long enough password' }),
      await client.post('/api/auth/sign-in', { email: 'local@example.com', password: 'long enough password' }),
      await client.post('/api/auth/sign-out'),
    ];
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect(await hub.db.db.select().from(users).where(eq(users.email, 'local@example.com'))).toEqual([]);
  });

  it('lets a Clerk user create and use a channel', async () => {
    const headers = asBearer(await token({ sub: 'user_2abcMaker', email: 'maker@example.com', name: 'Maker' }));
    const client = hub.client();
    const created = await client.request('POST', '/api/channels', { name: 'clerk room' }, headers);
    expect(created.status).toBe(201);
    const meRes = await me(headers);
    expect(created.json.channel.ownerId).toBe(meRes.json.user.id);

    const sent = await client.request('POST', `/api/channels/${created.json.channel.id}/messages`, { content: 'hi from Clerk' }, headers);
    expect(sent.status).toBe(201);
    expect(sent.json.message.author).toEqual({ kind: 'user', id: meRes.json.user.id, name: 'Maker' });
    const listed = await client.request('GET', '/api/channels', undefined, headers);
    expect(listed.json.channels.map((c: { name: string }) => c.name)).toEqual(['clerk room']);
  });

  it('checks the azp claim when CLERK_AUTHORIZED_PARTIES is set', async () => {
    process.env.CLERK_AUTHORIZED_PARTIES = 'https://app.example.test, https://admin.example.test';
    resetEnv();
    try {
      const claims = { sub: 'user_2abcAzp', email: 'azp@example.com' };
      expect((await me(asBearer(await token({ ...claims, azp: 'https://admin.example.test' })))).status).toBe(200);
      expect((await me(asBearer(await token({ ...claims, azp: 'https://evil.example.test' })))).status).toBe(401);
      expect((await me(asBearer(await token(claims)))).status).toBe(401);
    } finally {
      delete process.env.CLERK_AUTHORIZED_PARTIES;
      resetEnv();
    }
  });
});
