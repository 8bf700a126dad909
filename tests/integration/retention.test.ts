import { eq } from 'drizzle-orm';
import { messages } from '@/lib/db/schema';
import { resetEnv } from '@/lib/env';
import { newId } from '@/lib/ids';
import { purgeExpiredMessages } from '@/lib/messages/retention';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';

const DAY = 24 * 60 * 60 * 1000;

describe.each(testDatabaseKinds())('retention (%s)', (kind) => {
  const hub = useHub(kind);
  const saved = process.env.CRON_SECRET;
  afterAll(() => {
    process.env.CRON_SECRET = saved;
    resetEnv();
  });

  /** A channel with messages written `ages` days before `now` (the injected clock). */
  async function channelWithAges(now: Date, ages: number[]) {
    const api = hub.client();
    const user = await api.signUp('Ret');
    const { json } = await api.post('/api/channels', { name: `ret-${Math.random().toString(36).slice(2, 8)}` });
    const channelId: string = json.channel.id;
    // Ids stay time-ordered: the oldest message gets the smallest id.
    const rows = ages
      .map((age) => ({ age, id: newId() }))
      .sort((a, b) => b.age - a.age)
      .map(({ age }, i) => ({ id: newId(), channelId, authorKind: 'user' as const, authorUserId: user.id, content: `aged ${age}d #${i}`, createdAt: new Date(now.getTime() - age * DAY) }));
    await hub.db.db.insert(messages).values(rows);
    return { api, channelId };
  }

  it('deletes only messages older than the retention period, in bounded batches, and idempotently', async () => {
    const now = new Date('2031-05-01T12:00:00Z');
    const { api, channelId } = await channelWithAges(now, [45, 40, 31, 30.5, 29, 10, 0]);
    const history = () => api.get(`/api/channels/${channelId}/messages`);
    expect((await history()).json.messages).toHaveLength(7);
    expect((await history()).headers.get('x-cache')).toBe('HIT');

    const first = await purgeExpiredMessages({ now, retentionDays: 30, batchSize: 2 });
    expect(first.deleted).toBe(4);
    expect(first.batches).toBe(2);
    expect(first.cutoff).toBe('2031-04-01T12:00:00.000Z');

    // The cache dropped them too: the next read is a miss that agrees with the database.
    const after = await history();
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(after.json.messages.map((m: { content: string }) => m.content)).toEqual(['aged 29d #4', 'aged 10d #5', 'aged 0d #6']);
    const stored = await hub.db.db.select({ id: messages.id }).from(messages).where(eq(messages.channelId, channelId));
    expect(stored).toHaveLength(3);

    const second = await purgeExpiredMessages({ now, retentionDays: 30, batchSize: 2 });
    expect(second.deleted).toBe(0);
  });

  it('runs behind the cron route only with the right secret', async () => {
    const cron = hub.client();
    delete process.env.CRON_SECRET;
    resetEnv();
    expect((await cron.get('/api/cron/retention')).status).toBe(404);

    process.env.CRON_SECRET = 'test-cron-secret';
    resetEnv();
    expect((await cron.get('/api/cron/retention')).status).toBe(401);
    expect((await cron.request('GET', '/api/cron/retention', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await cron.request('GET', '/api/cron/retention', undefined, { authorization: 'Bearer test-cron-secret' });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual(expect.objectContaining({ deleted: expect.any(Number), batches: expect.any(Number), cutoff: expect.any(String) }));
  });
});
