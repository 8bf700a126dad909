import { NextRequest } from 'next/server';
import { POST as signUpRoute } from '@/app/api/auth/sign-up/route';
import { repliesSettled } from '@/lib/agents/replies';
import { normalizeAddress } from '@/lib/auth/client-address';
import { signInAllowances, signUpAllowance, UNKNOWN_ADDRESS_SIGNUP_FACTOR, unknownAddressSignUpAllowance } from '@/lib/auth/local';
import { cacheKeys } from '@/lib/cache/channel-cache';
import { sendAllowance } from '@/lib/messages';
import { take } from '@/lib/ratelimit';
import { loopbackAddress, requestFrom, type AddressedAnswer } from '../helpers/address';
import { testDatabaseKinds } from '../helpers/database';
import { withEnv } from '../helpers/env';
import { useHub } from '../helpers/hub';
import { uniqueName } from '../helpers/people';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PASSWORD = 'correct horse battery';
const email = () => `${uniqueName('throttle')}@example.com`;

describe.each(testDatabaseKinds())('abuse throttles over HTTP (%s)', (kind) => {
  const hub = useHub(kind);
  // Sends start agent dispatches in the background: let them end before the database closes.
  afterEach(() => repliesSettled());
  const url = (path: string) => `${hub.server.url}${path}`;
  const signIn = (from: string, body: { email: string; password: string }, headers: Record<string, string> = {}) => requestFrom(from, url('/api/auth/sign-in'), 'POST', body, headers);
  const signUp = (from: string, address = email(), headers: Record<string, string> = {}) => requestFrom(from, url('/api/auth/sign-up'), 'POST', { name: 'Sam', email: address, password: PASSWORD }, headers);

  async function account() {
    const address = email();
    expect((await signUp(loopbackAddress(), address)).status).toBe(201);
    return address;
  }

  function expectRateLimited(answer: { status: number; headers: Record<string, unknown>; json: any }, message: RegExp, maxSeconds: number) {
    expect(answer.status).toBe(429);
    expect(answer.json.error.code).toBe('rate_limited');
    expect(answer.json.error.message).toMatch(message);
    const retryAfter = Number(answer.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
    return retryAfter;
  }

  /** The known-device cookie (name=value) a successful sign-in or sign-up set, if any. */
  const deviceCookie = (answer: AddressedAnswer) => answer.headers['set-cookie']?.find((c) => c.startsWith('nc_device='))?.split(';')[0];

  it('an attacker at one address locks only that address out of the account: the real person signs in from another', async () => {
    await withEnv({ AUTH_SIGNIN_ACCOUNT_LIMIT: '3', AUTH_SIGNIN_WINDOW_SECONDS: '600' }, async () => {
      const target = await account();
      const attacker = loopbackAddress();
      for (let i = 0; i < 3; i++) expect((await signIn(attacker, { email: target, password: `guess-${i}` })).status).toBe(401);
      // The attacker keeps trying: refused, and the right password is refused to that address too (else guessing would go on).
      expectRateLimited(await signIn(attacker, { email: target, password: 'guess-3' }), /failed sign-ins for this account from your address/, 600);
      expectRateLimited(await signIn(attacker, { email: target, password: PASSWORD }), /failed sign-ins for this account from your address/, 600);
      // The real person, from their own address and without any cookie, is not locked out.
      expect((await signIn(loopbackAddress(), { email: target, password: PASSWORD })).status).toBe(200);
      // An unknown email answers the same way, so the pattern says nothing about who has an account.
      const nobody = email();
      const guesses = [];
      for (let i = 0; i < 4; i++) guesses.push((await signIn(attacker, { email: nobody, password: `guess-${i}` })).status);
      expect(guesses).toEqual([401, 401, 401, 429]);
      expect((await signIn(loopbackAddress(), { email: nobody, password: PASSWORD })).status).toBe(401);
    });
  });

  it('an account-wide cap (10x the account limit) stops guessing spread over addresses; the known-device cookie gets its holder past it', async () => {
    await withEnv({ AUTH_SIGNIN_ACCOUNT_LIMIT: '1', AUTH_SIGNIN_WINDOW_SECONDS: '600' }, async () => {
      const target = email();
      const signedUp = await signUp(loopbackAddress(), target);
      expect(signedUp.status).toBe(201);
      // A successful sign-in sets the device cookie: HttpOnly, only for the auth routes, signed for this user.
      const signedIn = await signIn(loopbackAddress(), { email: target, password: PASSWORD });
      expect(signedIn.status).toBe(200);
      const setCookie = signedIn.headers['set-cookie']!.find((c) => c.startsWith('nc_device='))!;
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=lax/i);
      expect(setCookie).toMatch(/Path=\/api\/auth/i);
      const device = deviceCookie(signedIn)!;

      // Ten addresses, one wrong guess each (each under its own per-address account limit of 1)...
      const spread = await Promise.all(Array.from({ length: 10 }, (_, i) => signIn(loopbackAddress(), { email: target, password: `spread-${i}` })));
      expect(spread.map((a) => a.status)).toEqual(Array(10).fill(401));
      // ...fill the account-wide log: a fresh address is refused, the right password included.
      expectRateLimited(await signIn(loopbackAddress(), { email: target, password: 'spread-10' }), /failed sign-ins for this account\. /, 600);
      expectRateLimited(await signIn(loopbackAddress(), { email: target, password: PASSWORD }), /failed sign-ins for this account\. /, 600);
      // A forged device cookie, or another account's, does not get past it.
      expect((await signIn(loopbackAddress(), { email: target, password: PASSWORD }, { cookie: 'nc_device=forged' })).status).toBe(429);
      const other = email();
      const theirs = deviceCookie(await signUp(loopbackAddress(), other))!;
      expect(theirs).toBeDefined();
      expect((await signIn(loopbackAddress(), { email: target, password: PASSWORD }, { cookie: theirs })).status).toBe(429);

      // The holder of the device cookie signs in from anywhere...
      const home = loopbackAddress();
      expect((await signIn(home, { email: target, password: PASSWORD }, { cookie: device })).status).toBe(200);
      // ...but their own per-(account, address) log still applies: one wrong password, then 429 there.
      expect((await signIn(home, { email: target, password: 'typo' }, { cookie: device })).status).toBe(401);
      expectRateLimited(await signIn(home, { email: target, password: PASSWORD }, { cookie: device }), /from your address/, 600);
      expect((await signIn(loopbackAddress(), { email: target, password: PASSWORD }, { cookie: device })).status).toBe(200);
    });
  });

  it('a sign-in lockout ends by itself when the failures leave the window (Retry-After says when)', async () => {
    await withEnv({ AUTH_SIGNIN_ACCOUNT_LIMIT: '3', AUTH_SIGNIN_WINDOW_SECONDS: '600' }, async () => {
      const target = await account();
      const from = loopbackAddress();
      // Three failures logged almost a whole window ago (an injected clock), as the route logs them.
      const { pair } = signInAllowances({ email: target, address: from, knownDevice: false });
      for (let i = 0; i < 3; i++) expect((await take([pair], Date.now() - pair.windowMs + 1500 + i)).allowed).toBe(true);
      const wait = expectRateLimited(await signIn(from, { email: target, password: PASSWORD }), /failed sign-ins for this account from your address/, 2);
      await sleep(wait * 1000);
      expect((await signIn(from, { email: target, password: PASSWORD })).status).toBe(200);
    });
  });

  it('counts only failures against an account, exactly, even when guesses race', async () => {
    await withEnv({ AUTH_SIGNIN_ACCOUNT_LIMIT: '3', AUTH_SIGNIN_WINDOW_SECONDS: '600' }, async () => {
      const owner = await account();
      const home = loopbackAddress();
      for (let i = 0; i < 6; i++) expect((await signIn(home, { email: owner, password: PASSWORD })).status).toBe(200);
      // Racing guesses from one address: exactly the per-address account limit gets through.
      const racing = await account();
      const attacker = loopbackAddress();
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn(attacker, { email: racing, password: `race-${i}` })));
      expect(answers.map((a) => a.status).sort()).toEqual([...Array(3).fill(401), ...Array(9).fill(429)]);
      // Racing guesses from many addresses: exactly the account-wide cap (30) gets through.
      const spread = await account();
      const wide = await Promise.all(Array.from({ length: 36 }, (_, i) => signIn(loopbackAddress(), { email: spread, password: `spread-${i}` })));
      expect(wide.map((a) => a.status).sort()).toEqual([...Array(30).fill(401), ...Array(6).fill(429)]);
    });
  });

  it('throttles sign-in attempts per client address, from the socket and not from headers a client sends', async () => {
    await withEnv({ AUTH_SIGNIN_ADDRESS_LIMIT: '4', AUTH_SIGNIN_WINDOW_SECONDS: '60' }, async () => {
      const attacker = loopbackAddress();
      const victim = await account();
      // Any outcome counts against the address: right, wrong, unknown email.
      expect((await signIn(attacker, { email: victim, password: PASSWORD })).status).toBe(200);
      expect((await signIn(attacker, { email: victim, password: 'wrong-1' })).status).toBe(401);
      expect((await signIn(attacker, { email: email(), password: 'wrong-2' })).status).toBe(401);
      expect((await signIn(attacker, { email: await account(), password: 'wrong-3' })).status).toBe(401);
      expectRateLimited(await signIn(attacker, { email: await account(), password: PASSWORD }), /from your address/, 60);
      // A forged address in either header changes nothing without TRUST_PROXY.
      for (const header of ['x-forwarded-for', 'x-neurocache-client-address']) {
        expect((await signIn(attacker, { email: victim, password: PASSWORD }, { [header]: loopbackAddress() })).status).toBe(429);
      }
      // Another address signs in.
      expect((await signIn(loopbackAddress(), { email: victim, password: PASSWORD })).status).toBe(200);
    });
  });

  it('behind a trusted proxy (TRUST_PROXY), counts the first X-Forwarded-For entry', async () => {
    await withEnv({ TRUST_PROXY: 'true', AUTH_SIGNIN_ADDRESS_LIMIT: '2', AUTH_SIGNIN_WINDOW_SECONDS: '60' }, async () => {
      const proxy = loopbackAddress();
      // A random /64 of the documentation prefix: no other test, nor an earlier run's logs on a shared Redis, has it.
      const documentation = () => `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}::7`;
      const client = documentation();
      const victim = await account();
      const via = (forwarded: string) => signIn(proxy, { email: victim, password: PASSWORD }, { 'x-forwarded-for': forwarded });
      expect((await via(`${client}, 10.0.0.1`)).status).toBe(200);
      expect((await via(`${client}`)).status).toBe(200);
      expect((await via(`${client}, 10.0.0.2`)).status).toBe(429);
      // Other clients behind the same proxy are counted apart.
      expect((await via(`${documentation()}, ${client}`)).status).toBe(200);
    });
  });

  it('behind appending proxies (TRUST_PROXY_HOPS=1), counts the entry the trusted proxy added: a spoofed first entry changes nothing', async () => {
    await withEnv({ TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '1', AUTH_SIGNIN_ADDRESS_LIMIT: '2', AUTH_SIGNIN_WINDOW_SECONDS: '60' }, async () => {
      const proxy = loopbackAddress();
      const client = loopbackAddress();
      const victim = await account();
      // As nginx's $proxy_add_x_forwarded_for does: whatever the client sent, then the address the proxy saw.
      const via = (forwarded: string) => signIn(proxy, { email: victim, password: PASSWORD }, { 'x-forwarded-for': forwarded });
      expect((await via(`${loopbackAddress()}, ${client}`)).status).toBe(200);
      expect((await via(`${client}`)).status).toBe(200);
      expectRateLimited(await via(`${loopbackAddress()}, ${loopbackAddress()}, ${client}`), /from your address/, 60);
      // Other clients behind the same proxy are counted apart, whatever they spoof.
      expect((await via(`${client}, ${loopbackAddress()}`)).status).toBe(200);
    });
  });

  it('where the client address is unknown, all sign-ups share one log of AUTH_SIGNUP_ADDRESS_LIMIT x 10 per window', async () => {
    await withEnv({ AUTH_SIGNUP_ADDRESS_LIMIT: '1', AUTH_SIGNUP_WINDOW_SECONDS: '600' }, async () => {
      const allowance = unknownAddressSignUpAllowance();
      expect(allowance.limit).toBe(UNKNOWN_ADDRESS_SIGNUP_FACTOR);
      // The log is one for the whole deployment, so on a shared Redis an earlier run's sign-ups may still be in it.
      await hub.cache.backend.del([cacheKeys.rateLimit(allowance.bucket)]);
      // The route handler called as a platform without the hub's server calls it (`next start`,
      // functions without TRUST_PROXY): no stamped address, and a forged one is not believed.
      const unknownSignUp = async () => {
        const request = new NextRequest(url('/api/auth/sign-up'), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': loopbackAddress() },
          body: JSON.stringify({ name: 'Sam', email: email(), password: PASSWORD }),
        });
        const answer = await signUpRoute(request, { params: Promise.resolve({}) });
        return { status: answer.status, headers: Object.fromEntries(answer.headers), json: await answer.json() };
      };
      const statuses = [];
      for (let i = 0; i < 10; i++) statuses.push((await unknownSignUp()).status);
      expect(statuses).toEqual(Array(10).fill(201));
      expectRateLimited(await unknownSignUp(), /accounts were made recently from addresses the hub cannot tell apart/, 600);
      // Known addresses keep their own logs.
      expect((await signUp(loopbackAddress())).status).toBe(201);
    });
  });

  it('throttles sign-ups per client address (AUTH_SIGNUP_ADDRESS_LIMIT per AUTH_SIGNUP_WINDOW_SECONDS), until the window slides', async () => {
    await withEnv({ AUTH_SIGNUP_ADDRESS_LIMIT: '2', AUTH_SIGNUP_WINDOW_SECONDS: '600' }, async () => {
      const from = loopbackAddress();
      expect((await signUp(from)).status).toBe(201);
      expect((await signUp(from)).status).toBe(201);
      const refusedEmail = email();
      expectRateLimited(await signUp(from, refusedEmail), /accounts were made from your address/, 600);
      // A refused sign-up made no account; other addresses sign up.
      expect((await signIn(loopbackAddress(), { email: refusedEmail, password: PASSWORD })).status).toBe(401);
      expect((await signUp(loopbackAddress())).status).toBe(201);

      // The window's end, with an injected clock: two sign-ups logged almost a whole window ago.
      const earlier = loopbackAddress();
      const allowance = signUpAllowance(earlier);
      for (let i = 0; i < 2; i++) expect((await take([allowance], Date.now() - allowance.windowMs + 1500 + i)).allowed).toBe(true);
      const wait = expectRateLimited(await signUp(earlier), /accounts were made from your address/, 2);
      await sleep(wait * 1000);
      expect((await signUp(earlier)).status).toBe(201);
    });
  });

  it('limits each person to SEND_RATE_LIMIT_MESSAGES per window across channels; a retry of a stored message is free, even while the limit refuses', async () => {
    await withEnv({ SEND_RATE_LIMIT_MESSAGES: '5', SEND_RATE_LIMIT_WINDOW_SECONDS: '600' }, async () => {
      const api = hub.client();
      await api.signUp('Typist');
      const channels = [];
      for (let i = 0; i < 2; i++) channels.push((await api.post('/api/channels', { name: uniqueName('fast') })).json.channel.id as string);
      const send = (channelId: string, content: string, clientId?: string) => api.post(`/api/channels/${channelId}/messages`, { content, ...(clientId ? { clientId } : {}) });
      const first = await send(channels[0]!, 'one', 'client-one');
      expect(first.status).toBe(201);
      for (const [i, channelId] of [channels[1], channels[0], channels[1]].entries()) expect((await send(channelId!, `message ${i}`)).status).toBe(201);
      // The same message again (a lost response): the stored copy, and no slot spent.
      const again = await send(channels[0]!, 'one', 'client-one');
      expect(again.status).toBe(200);
      expect(again.json.message.id).toBe(first.json.message.id);
      expect((await send(channels[1]!, 'five')).status).toBe(201);

      const refused = await send(channels[0]!, 'six');
      const wait = expectRateLimited({ ...refused, headers: Object.fromEntries(refused.headers) }, /You sent 5 messages in the last 600 s/, 600);
      expect(refused.json.error.details).toEqual({ retryAfterSeconds: wait });
      // Nothing was stored for the refused message.
      const history = (await api.get(`/api/channels/${channels[0]}/messages`)).json.messages.map((m: { content: string }) => m.content);
      expect(history).not.toContain('six');
      // While the limit refuses, a resend of a stored message still answers with the stored copy.
      const resent = await send(channels[0]!, 'one', 'client-one');
      expect(resent.status).toBe(200);
      expect(resent.json.message.id).toBe(first.json.message.id);
      // ...and the same clientId in another channel is still a conflict, not a new message.
      expect((await send(channels[1]!, 'one', 'client-one')).status).toBe(409);
      expect((await send(channels[1]!, 'seven', 'client-seven')).status).toBe(429);

      // Someone else sends on.
      const other = hub.client();
      await other.signUp('Other');
      const theirs = (await other.post('/api/channels', { name: uniqueName('theirs') })).json.channel.id;
      expect((await other.post(`/api/channels/${theirs}/messages`, { content: 'hello' })).status).toBe(201);

      // The window's end, with an injected clock: a person whose five sends were logged almost a window ago.
      const later = hub.client();
      const late = await later.signUp('Later');
      const lateChannel = (await later.post('/api/channels', { name: uniqueName('later') })).json.channel.id;
      const allowance = sendAllowance(late.id);
      for (let i = 0; i < 5; i++) expect((await take([allowance], Date.now() - allowance.windowMs + 1500 + i)).allowed).toBe(true);
      const held = await later.post(`/api/channels/${lateChannel}/messages`, { content: 'soon' });
      const soon = expectRateLimited({ ...held, headers: Object.fromEntries(held.headers) }, /You sent 5 messages/, 2);
      await sleep(soon * 1000);
      expect((await later.post(`/api/channels/${lateChannel}/messages`, { content: 'soon' })).status).toBe(201);
    });
  });
});

describe('client addresses', () => {
  it('counts IPv4-mapped IPv6 as IPv4 and IPv6 by its /64, and refuses what is not an address', () => {
    expect(normalizeAddress('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(normalizeAddress(' 198.51.100.4 ')).toBe('198.51.100.4');
    expect(normalizeAddress('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(normalizeAddress('2001:db8:1:2::9')).toBe(normalizeAddress('2001:0db8:0001:0002:ffff::1'));
    expect(normalizeAddress('[2001:db8::1]')).toBe('2001:db8:0:0::/64');
    expect(normalizeAddress('::1')).toBe('0:0:0:0::/64');
    for (const bad of ['', 'unknown', 'evil.example', '1.2.3', undefined, null]) expect(normalizeAddress(bad)).toBeUndefined();
  });
});
