import { expect, test, type APIRequestContext } from '@playwright/test';
import { signUp, unique } from './helpers';

const CHANNELS = 200;

/** `count` channels made through the HTTP API, a few at a time; ids and names in sidebar order. */
async function makeChannels(request: APIRequestContext, origin: string, count: number) {
  const tag = unique();
  const made: { id: string; name: string }[] = [];
  for (let start = 0; start < count; start += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, count - start) }, async (_, i) => {
        const name = `many-${tag}-${String(start + i).padStart(3, '0')}`;
        const res = await request.post('/api/channels', { data: { name }, headers: { origin } });
        expect(res.status()).toBe(201);
        return { id: (await res.json()).channel.id as string, name };
      }),
    );
    made.push(...batch);
  }
  return made;
}

test(`a person in ${CHANNELS} channels keeps real time in every one`, async ({ browser, playwright, baseURL }, testInfo) => {
  const origin = baseURL!;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const ada = await context.newPage();
  await signUp(ada, 'Ada Many', `ada-${unique()}@example.com`);
  const bob = await playwright.request.newContext({ baseURL });
  const bobEmail = `bob-${unique()}@example.com`;
  expect((await bob.post('/api/auth/sign-up', { data: { name: 'Bob Many', email: bobEmail, password: 'a good long password' }, headers: { origin } })).status()).toBe(201);

  const channels = await makeChannels(ada.request, origin, CHANNELS);
  const last = channels.at(-1)!;
  // Bob is in the last few channels and one in the middle; the rest are Ada's alone.
  const sample = [channels[100]!, ...channels.slice(-4, -1)];
  for (const channel of [...sample, last]) {
    expect((await ada.request.post(`/api/channels/${channel.id}/members`, { data: { email: bobEmail }, headers: { origin } })).status()).toBe(201);
  }

  // A fresh page load: the browser joins all of them at once, as it does after every (re)connect.
  await ada.reload();
  await expect(ada.getByTestId('channel-link')).toHaveCount(CHANNELS);
  await ada.getByTestId('channel-link').filter({ hasText: last.name }).click();
  await expect(ada.getByTestId('channel-title')).toHaveText(`# ${last.name}`);
  // Presence in the last channel comes from its room: joined.
  await expect(ada.getByTestId('online-count')).toHaveText(/1 online/);

  const post = async (channelId: string, content: string) =>
    expect((await bob.post(`/api/channels/${channelId}/messages`, { data: { content }, headers: { origin } })).status()).toBe(201);
  await post(last.id, 'into the last channel');
  await expect(ada.getByTestId('message').filter({ hasText: 'into the last channel' })).toHaveCount(1);
  for (const channel of sample) await post(channel.id, `into ${channel.name}`);
  for (const channel of sample) {
    await expect(ada.getByTestId('channel-link').filter({ hasText: channel.name }).getByTestId('unread-badge')).toHaveText('1');
  }
  await expect(ada.getByTestId('offline-banner')).toHaveCount(0);

  await ada.screenshot({ path: testInfo.outputPath('hub-many-1280x800.png') });
  await ada.setViewportSize({ width: 390, height: 844 });
  await ada.screenshot({ path: testInfo.outputPath('hub-many-390x844.png') });
  await expect(ada.getByTestId('offline-banner')).toHaveCount(0);
  await bob.dispose();
  await context.close();
});
