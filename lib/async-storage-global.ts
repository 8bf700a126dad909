import { AsyncLocalStorage } from 'node:async_hooks';

// next/server builds its request storage when it loads, from this global. Next's own server sets
// it first; a plain Node process (the custom server before next() runs, the realtime node, a
// benchmark) may load next/server earlier, and without this every later request would fail with
// "AsyncLocalStorage accessed in runtime where it is not available".
const slot = globalThis as { AsyncLocalStorage?: typeof AsyncLocalStorage };
if (typeof slot.AsyncLocalStorage !== 'function') slot.AsyncLocalStorage = AsyncLocalStorage;
