import 'server-only';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { AppError, invalidRequest } from './errors';

export type UploadedFile = { field: string; name: string; mimeType: string; bytes: Buffer };

export type UploadLimits = {
  /** Most `file` fields one request may carry. */
  maxFiles: number;
  /** Largest one file may be, in bytes. */
  maxFileBytes: number;
  /** How a size is said in errors ("25 MB"). */
  describeBytes: (bytes: number) => string;
};

export const isMultipart = (req: Request) => /^multipart\/form-data\b/i.test(req.headers.get('content-type') ?? '');

/**
 * Reads a multipart/form-data body as a stream, holding each file to its size cap while it
 * arrives: a 2 GB upload is refused at the cap's first byte past, never buffered whole. Text
 * fields are small and kept too. Each refusal names the file and the limit it broke.
 */
export async function readMultipart(req: Request, limits: UploadLimits): Promise<{ files: UploadedFile[]; fields: Record<string, string> }> {
  if (!req.body) throw invalidRequest('Attach at least one file.');
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: Object.fromEntries(req.headers),
      // busboy calls a file at its cap when it reaches fileSize: one byte more lets a file of exactly the cap through.
      limits: { files: limits.maxFiles, fileSize: limits.maxFileBytes + 1, fields: 20, fieldSize: 64 * 1024, parts: limits.maxFiles + 21 },
      defParamCharset: 'utf8',
    });
  } catch {
    throw invalidRequest('The multipart body has no boundary; let your HTTP client set Content-Type.');
  }
  const files: UploadedFile[] = [];
  const fields: Record<string, string> = {};
  const source = Readable.fromWeb(req.body as import('node:stream/web').ReadableStream<Uint8Array>);
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (error: AppError) => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      source.destroy();
      reject(error);
    };
    parser.on('file', (field, stream, info) => {
      // A truncated body ends the file stream with an error: answered, never an uncaught exception.
      stream.on('error', () => fail(invalidRequest('The upload was interrupted.')));
      if (field !== 'file') {
        // Only `file` fields are documents; anything else is read past, never held.
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      const name = info.filename?.trim() || 'untitled';
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () =>
        fail(new AppError('payload_too_large', `${name} is larger than ${limits.describeBytes(limits.maxFileBytes)}, the limit for one file.`, { headers: { Connection: 'close' } })),
      );
      stream.on('end', () => {
        if (!failed) files.push({ field, name, mimeType: info.mimeType || 'application/octet-stream', bytes: Buffer.concat(chunks) });
      });
    });
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('filesLimit', () => fail(invalidRequest(`Upload at most ${limits.maxFiles} files at once.`)));
    parser.on('partsLimit', () => fail(invalidRequest(`Upload at most ${limits.maxFiles} files at once.`)));
    parser.on('error', () => fail(invalidRequest('The multipart body is malformed.')));
    parser.on('close', () => {
      if (!failed) resolve({ files, fields });
    });
    source.on('error', () => fail(invalidRequest('The upload was interrupted.')));
    source.pipe(parser);
  });
}
