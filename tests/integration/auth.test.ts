import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';

describe.each(testDatabaseKinds())('auth over HTTP (%s)', (kind) => {
  const hub = useHub(kind);

  it('signs up, reads /api/me, signs out, and a copied cookie stops working', async () => {
    const browser = hub.client();
    const signUp = await browser.post('/api/auth/sign-up', { name: 'Ada', email: 'Ada@Example.com', password: 'analytical engine' });
    expect(signUp.status).toBe(201);
    expect(signUp.json.user).toEqual({ id: expect.any(String), name: 'Ada', email: 'ada@example.com' });
    const setCookie = signUp.headers.getSetCookie()[0]!;
    expect(setCookie).toMatch(/^nc_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=lax/i);

    const me = await browser.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.json.user.email).toBe('ada@example.com');

    const copied = hub.client();
    copied.cookie = browser.cookie;
    expect((await copied.get('/api/me')).status).toBe(200);

    const signOut = await browser.post('/api/auth/sign-out');
    expect(signOut.status).toBe(204);
    expect(signOut.headers.getSetCookie()[0]).toMatch(/nc_session=;/);
    expect((await browser.get('/api/me')).status).toBe(401);
    // The session ended on the server: the copy is refused too.
    const replay = await copied.get('/api/me');
    expect(replay.status).toBe(401);
    expect(replay.json.error.code).toBe('unauthenticated');
  });

  it('signs in with the right password only, with one message for wrong email and wrong password', async () => {
    await hub.client().post('/api/auth/sign-up', { name: 'Grace', email: 'grace@example.com', password: 'compiler-first' });
    const browser = hub.client();
    const wrongPassword = await browser.post('/api/auth/sign-in', { email: 'grace@example.com', password: 'not the password' });
    const wrongEmail = await browser.post('/api/auth/sign-in', { email: 'nobody@example.com', password: 'compiler-first' });
    expect(wrongPassword.status).toBe(401);
    expect(wrongEmail.status).toBe(401);
    expect(wrongPassword.json.error.message).toBe(wrongEmail.json.error.message);

    const ok = await browser.post('/api/auth/sign-in', { email: ' GRACE@example.com ', password: 'compiler-first' });
    expect(ok.status).toBe(200);
    expect(ok.json.user.name).toBe('Grace');
    expect((await browser.get('/api/me')).json.user.email).toBe('grace@example.com');
  });

  it('marks the browser as a known device on sign-up and sign-in: an HttpOnly cookie for the auth routes that names nobody and outlives sign-out', async () => {
    const browser = hub.client();
    const deviceCookie = (answer: { headers: Headers }) => answer.headers.getSetCookie().find((c) => c.startsWith('nc_device='));
    const signUp = await browser.post('/api/auth/sign-up', { name: 'Kay', email: 'kay@example.com', password: 'dynabook-1972' });
    const user = signUp.json.user as { id: string };
    for (const answer of [signUp, await hub.client().post('/api/auth/sign-in', { email: 'kay@example.com', password: 'dynabook-1972' })]) {
      const cookie = deviceCookie(answer)!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=lax/i);
      expect(cookie).toMatch(/Path=\/api\/auth(;|$)/i);
      expect(cookie).toMatch(/Max-Age=\d{6,}/i);
      // A MAC of the account, the same on every device of it, and not the account's id or email.
      expect(cookie.split(';')[0]).toBe(deviceCookie(signUp)!.split(';')[0]);
      expect(cookie).not.toContain(user.id);
      expect(cookie).not.toMatch(/kay/i);
    }
    // Not set for a wrong password, not cleared by signing out.
    expect(deviceCookie(await hub.client().post('/api/auth/sign-in', { email: 'kay@example.com', password: 'wrong-password' }))).toBeUndefined();
    expect(deviceCookie(await browser.post('/api/auth/sign-out'))).toBeUndefined();
  });

  it('refuses a taken email with 409 and bad input with field errors', async () => {
    const browser = hub.client();
    expect((await browser.post('/api/auth/sign-up', { name: 'Lin', email: 'lin@example.com', password: 'password1' })).status).toBe(201);
    const again = await hub.client().post('/api/auth/sign-up', { name: 'Lin 2', email: 'LIN@example.com', password: 'password2' });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('conflict');

    const bad = await hub.client().post('/api/auth/sign-up', { name: '', email: 'not-an-email', password: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_request');
    expect(Object.keys(bad.json.error.details).sort()).toEqual(['email', 'name', 'password']);

    const notJson = await hub.client().request('POST', '/api/auth/sign-in', '{nope', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.message).toMatch(/not valid JSON/);
  });

  it('rejects oversized bodies with 413 and unknown API paths with a JSON 404', async () => {
    const big = await hub.client().post('/api/auth/sign-in', { email: 'a@b.co', password: 'x'.repeat(70_000) });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('payload_too_large');
    const missing = await hub.client().get('/api/nothing/here');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
  });

  it('treats a forged cookie as signed out', async () => {
    const browser = hub.client();
    browser.cookie = 'nc_session=forged-token-value';
    expect((await browser.get('/api/me')).status).toBe(401);
    expect((await browser.get('/api/channels')).status).toBe(401);
  });
});
