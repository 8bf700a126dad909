import { repliesSettled } from '@/lib/agents/replies';
import { normalizeAddress } from '@/lib/auth/client-address';
import { loopbackAddress, requestFrom } from '../helpers/address';
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

  it('locks an account after AUTH_SIGNIN_ACCOUNT_LIMIT failed sign-ins, the right password included, until the window slides', async () => {
    await withEnv({ AUTH_SIGNIN_ACCOUNT_LIMIT: '3', AUTH_SIGNIN_WINDOW_SECONDS: '2' }, async () => {
      const target = await account();
      // Each guess from another address: only the account's own limit can stop them.
      for (let i = 0; i < 3; i++) expect((await signIn(loopbackAddress(), { email: target, password: `guess-${i}` })).status).toBe(401);
      expectRateLimited(await signIn(loopbackAddress(), { email: target, password: 'guess-3' }), /failed sign-ins for this account/, 2);
      // Brute force must not learn the password: while locked, the right one is refused too.
      const locked = await signIn(loopbackAddress(), { email: target, password: PASSWORD });
      const wait = expectRateLimited(locked, /failed sign-ins for this account/, 2);
      // Other accounts are not affected.
      expect((await signIn(loopbackAddress(), { email: await account(), password: PASSWORD })).status).toBe(200);
      // Nobody can lock a person out for good: the lockout ends as the window slides.
      await sleep(wait * 1000 + 50);
      expect((await signIn(loopbackAddress(), { email: target, password: PASSWORD })).status).toBe(200);
    });
  });

  it('counts only failures against an account, exactly, even when guesses race', async () => {
    await withEnv({ AUTH_SIGNIN_ACCOUNT_LIMIT: '3', AUTH_SIGNIN_WINDOW_SECONDS: '60' }, async () => {
      const owner = await account();
      for (let i = 0; i < 6; i++) expect((await signIn(loopbackAddress(), { email: owner, password: PASSWORD })).status).toBe(200);
      // Unknown emails are throttled like real ones, so a 429 reveals nothing about who exists.
      const racing = await account();
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn(loopbackAddress(), { email: racing, password: `race-${i}` })));
      expect(answers.map((a) => a.status).sort()).toEqual([...Array(3).fill(401), ...Array(9).fill(429)]);
      const nobody = email();
      const guesses = [];
      for (let i = 0; i < 4; i++) guesses.push((await signIn(loopbackAddress(), { email: nobody, password: 'whatever' })).status);
      expect(guesses).toEqual([401, 401, 401, 429]);
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
      const client = `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
      const victim = await account();
      const via = (forwarded: string) => signIn(proxy, { email: victim, password: PASSWORD }, { 'x-forwarded-for': forwarded });
      expect((await via(`${client}, 10.0.0.1`)).status).toBe(200);
      expect((await via(`${client}`)).status).toBe(200);
      expect((await via(`${client}, 10.0.0.2`)).status).toBe(429);
      // Other clients behind the same proxy are counted apart.
      expect((await via(`198.51.100.${1 + Math.floor(Math.random() * 250)}, ${client}`)).status).toBe(200);
    });
  });

  it('throttles sign-ups per client address (AUTH_SIGNUP_ADDRESS_LIMIT per AUTH_SIGNUP_WINDOW_SECONDS)', async () => {
    await withEnv({ AUTH_SIGNUP_ADDRESS_LIMIT: '2', AUTH_SIGNUP_WINDOW_SECONDS: '2' }, async () => {
      const from = loopbackAddress();
      expect((await signUp(from)).status).toBe(201);
      const taken = email();
      expect((await signUp(from, taken)).status).toBe(201);
      const refused = await signUp(from);
      const wait = expectRateLimited(refused, /accounts were made from your address/, 2);
      // A refused sign-up made no account.
      expect((await signIn(loopbackAddress(), { email: taken, password: PASSWORD })).status).toBe(200);
      expect((await signUp(loopbackAddress())).status).toBe(201);
      await sleep(wait * 1000 + 50);
      expect((await signUp(from)).status).toBe(201);
    });
  });

  it('limits each person to SEND_RATE_LIMIT_MESSAGES per window across channels; a retry of a stored message is free', async () => {
    await withEnv({ SEND_RATE_LIMIT_MESSAGES: '5', SEND_RATE_LIMIT_WINDOW_SECONDS: '2' }, async () => {
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
      const wait = expectRateLimited({ ...refused, headers: Object.fromEntries(refused.headers) }, /You sent 5 messages in the last 2 s/, 2);
      expect(refused.json.error.details).toEqual({ retryAfterSeconds: wait });
      // Nothing was stored for the refused message.
      const history = (await api.get(`/api/channels/${channels[0]}/messages`)).json.messages.map((m: { content: string }) => m.content);
      expect(history).not.toContain('six');

      // Someone else sends on.
      const other = hub.client();
      await other.signUp('Other');
      const theirs = (await other.post('/api/channels', { name: uniqueName('theirs') })).json.channel.id;
      expect((await other.post(`/api/channels/${theirs}/messages`, { content: 'hello' })).status).toBe(201);

      await sleep(wait * 1000 + 50);
      expect((await send(channels[0]!, 'six')).status).toBe(201);
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
