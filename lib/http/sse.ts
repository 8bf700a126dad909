import 'server-only';
import { ModelError } from '@/lib/ai/provider';
import { describeError } from '@/lib/db/errors';
import { AppError } from './errors';

export type SseFrame = { event?: string; data: unknown } | 'done';

/** An error as a stream can still say it: the API.md error body, never internals. */
export function streamErrorBody(error: unknown): { error: { code: string; message: string } } {
  if (error instanceof AppError) return error.toBody();
  if (error instanceof ModelError) return { error: { code: error.code === 'rate_limited' ? 'rate_limited' : 'unavailable', message: error.message } };
  console.error('[sse] stream failed', describeError(error));
  return { error: { code: 'internal_error', message: 'Something went wrong on our side. Please try again.' } };
}

/**
 * A text/event-stream answer fed by an async generator of frames (`'done'` writes
 * `data: [DONE]`). If the generator throws, the error goes out as a last `error` frame. When the
 * client goes away the generator is closed, which cancels the model call behind it.
 */
export function sseResponse(frames: AsyncGenerator<SseFrame>, onError: (error: unknown) => SseFrame = (error) => ({ event: 'error', data: streamErrorBody(error) })): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await frames.next();
        if (done) return controller.close();
        controller.enqueue(encoder.encode(value === 'done' ? 'data: [DONE]\n\n' : `${value.event ? `event: ${value.event}\n` : ''}data: ${JSON.stringify(value.data)}\n\n`));
      } catch (error) {
        const frame = onError(error);
        if (frame !== 'done') controller.enqueue(encoder.encode(`${frame.event ? `event: ${frame.event}\n` : ''}data: ${JSON.stringify(frame.data)}\n\n`));
        controller.close();
      }
    },
    async cancel() {
      await frames.return(undefined);
    },
  });
  return new Response(stream, { headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' } });
}
