import 'server-only';
import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { outboundErrors } from './errors';

// Lenient like browsers: a stream cut short at the end still yields what arrived.
export function decoderFor(encoding: string): Transform | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'deflate':
      return zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'br':
      return zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
    default:
      return undefined;
  }
}

/**
 * Reads a response body of at most maxBytes, counted after decompression so that a small
 * compressed "bomb" cannot expand past the cap; reading stops (and the socket is dropped) the
 * moment the cap is passed.
 */
export async function readCappedBody(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw outboundErrors.tooLarge(maxBytes);
  }
  const encodings = String(response.headers['content-encoding'] ?? '')
    .split(',')
    .map((encoding) => encoding.trim().toLowerCase())
    .filter((encoding) => encoding && encoding !== 'identity')
    .reverse();
  const decoders: Transform[] = [];
  for (const encoding of encodings) {
    const decoder = decoderFor(encoding);
    if (!decoder) {
      response.destroy();
      throw outboundErrors.encoding();
    }
    decoders.push(decoder);
  }

  const chunks: Buffer[] = [];
  let total = 0;
  // Kept aside because pipeline may report its own AbortError instead of the error that stopped it.
  let overflow: Error | undefined;
  const collect = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > maxBytes) throw (overflow = outboundErrors.tooLarge(maxBytes));
      chunks.push(chunk);
    }
  };
  // pipeline's typings have no overload for a variable number of middle streams.
  const done = (pipeline as (...stages: unknown[]) => Promise<void>)(response, ...decoders, collect);
  // The compressed bytes are capped too: a body that decodes to little can still be huge on the wire.
  let received = 0;
  response.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) response.destroy((overflow = outboundErrors.tooLarge(maxBytes)));
  });
  try {
    await done;
  } catch (error) {
    if (overflow) throw overflow;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('Z_') || code.includes('BROTLI') || code.startsWith('ERR__ERROR'))) throw outboundErrors.encoding();
    throw error;
  }
  return Buffer.concat(chunks, total);
}
