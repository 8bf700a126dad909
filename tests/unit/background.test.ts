import { after } from 'next/server';
import { runInBackground } from '@/lib/background';

jest.mock('next/server', () => ({ after: jest.fn() }));
const afterMock = after as jest.MockedFunction<typeof after>;

describe('work that outlives a response', () => {
  beforeEach(() => afterMock.mockReset());

  it("inside a request, hands the work to Next's after(), which keeps a serverless function alive until it ends", async () => {
    let release!: () => void;
    const work = new Promise<void>((resolve) => (release = resolve));
    runInBackground(work, 'a reply');
    expect(afterMock).toHaveBeenCalledTimes(1);
    // What after() is given settles only when the work does.
    const kept = (afterMock.mock.calls[0]![0] as () => Promise<unknown>)();
    let settled = false;
    void kept.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    release();
    await kept;
    expect(settled).toBe(true);
  });

  it('outside a request (after() throws), lets the work run on, and logs a failure instead of throwing it', async () => {
    afterMock.mockImplementation(() => {
      throw new Error('`after` was called outside a request scope.');
    });
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    let ran = false;
    expect(() =>
      runInBackground(
        (async () => {
          ran = true;
          throw new Error('model down');
        })(),
        'a reply',
      ),
    ).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toBe(true);
    expect(errors).toHaveBeenCalledWith('[background] a reply failed:', 'model down');
    // Being outside a request is normal (the custom server, the realtime node): no warning for it.
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();
  });

  it('says once when after() itself refuses work inside a request, and still runs the work', async () => {
    afterMock.mockImplementation(() => {
      throw new Error('after() is not supported here');
    });
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    let runs = 0;
    runInBackground(Promise.resolve().then(() => runs++), 'one');
    runInBackground(Promise.resolve().then(() => runs++), 'two');
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(2);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]![0])).toContain('after() refused work (after() is not supported here)');
    errors.mockRestore();
  });
});
