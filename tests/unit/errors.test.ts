import { z } from 'zod';
import { AppError, conflict, errorStatus, forbidden, invalidRequest, notFound, unauthenticated } from '@/lib/http/errors';
import { errorResponse, fieldErrors, MAX_BODY_BYTES, parseWith, readJson } from '@/lib/http/route';

describe('AppError', () => {
  it('maps every code to the API.md status', () => {
    expect(errorStatus).toEqual({
      invalid_request: 400,
      unauthenticated: 401,
      forbidden: 403,
      not_found: 404,
      method_not_allowed: 405,
      conflict: 409,
      payload_too_large: 413,
      unsupported_media_type: 415,
      rate_limited: 429,
      internal_error: 500,
      not_implemented: 501,
      unavailable: 503,
    });
    for (const [code, status] of Object.entries(errorStatus)) {
      expect(new AppError(code as keyof typeof errorStatus, 'x').status).toBe(status);
    }
  });

  it('builds the error body, with details only when given', () => {
    expect(new AppError('conflict', 'Taken.').toBody()).toEqual({ error: { code: 'conflict', message: 'Taken.' } });
    expect(new AppError('conflict', 'Taken.').toBody().error).not.toHaveProperty('details');
    expect(invalidRequest('Bad.', { name: ['Required.'] }).toBody()).toEqual({
      error: { code: 'invalid_request', message: 'Bad.', details: { name: ['Required.'] } },
    });
  });

  it('has helpers for the common cases', () => {
    expect(notFound('Channel')).toMatchObject({ code: 'not_found', status: 404, message: 'Channel not found.' });
    expect(notFound().message).toBe('Resource not found.');
    expect(forbidden('No.')).toMatchObject({ code: 'forbidden', status: 403, message: 'No.' });
    expect(conflict('Again.')).toMatchObject({ code: 'conflict', status: 409 });
    expect(unauthenticated()).toMatchObject({ code: 'unauthenticated', status: 401, message: 'Sign in to continue.' });
    expect(notFound()).toBeInstanceOf(Error);
  });
});

describe('errorResponse', () => {
  let consoleError: jest.SpyInstance;
  beforeEach(() => {
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => consoleError.mockRestore());

  it('answers an AppError with its status, body and headers', async () => {
    const response = errorResponse(new AppError('rate_limited', 'Slow down.', { headers: { 'Retry-After': '30' } }));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ error: { code: 'rate_limited', message: 'Slow down.' } });
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('answers an unknown error with a generic 500 that carries no detail', async () => {
    const leak = new Error('duplicate key in SELECT * FROM users WHERE password_hash = $1');
    const response = errorResponse(leak);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(text).not.toMatch(/SELECT|password_hash|duplicate key/);
    expect(text).not.toContain(leak.stack!.split('\n')[1]!.trim());
    expect(text).not.toMatch(/\bat\s+\S+\s+\(/);
    // What went wrong goes to the server log instead.
    expect(consoleError).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ name: 'Error' }));
  });

  it('logs a database failure by SQLSTATE, constraint and query, never its parameters', () => {
    const cause = Object.assign(new Error('new row violates check constraint'), { code: '23514', constraint_name: 'users_check', query: 'insert into "users" values ($1, $2)' });
    const failure = Object.assign(new Error('Failed query: insert into "users" values ($1, $2)\nparams: Eve,$argon2id$v=19$secret-hash'), {
      cause,
      params: ['Eve', '$argon2id$v=19$secret-hash'],
    });
    errorResponse(failure);
    const logged = JSON.stringify(consoleError.mock.calls);
    expect(logged).toContain('23514');
    expect(logged).toContain('users_check');
    expect(logged).toContain('insert into');
    expect(logged).not.toContain('secret-hash');
    expect(logged).not.toContain('Eve');
  });

  it('answers a NUL-byte refusal from Postgres as the caller\'s 400', async () => {
    const response = errorResponse(Object.assign(new Error('invalid byte sequence'), { cause: { code: '22021' } }));
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('invalid_request');
  });

  it('answers thrown non-errors with the same generic 500', async () => {
    for (const thrown of ['a string', { code: '23505', detail: 'Key (email)=(a@b.co) already exists.' }, undefined]) {
      const response = errorResponse(thrown);
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text).error.code).toBe('internal_error');
      expect(text).not.toMatch(/a string|a@b\.co|23505/);
    }
  });
});

describe('request parsing', () => {
  const schema = z.object({ name: z.string().min(1), age: z.number().int() });

  it('turns zod issues into field errors keyed by path', () => {
    const result = schema.safeParse({ name: '', age: 1.5 });
    expect(result.success).toBe(false);
    const details = fieldErrors(result.error!);
    expect(Object.keys(details).sort()).toEqual(['age', 'name']);
    expect(details.name).toEqual([expect.any(String)]);
    expect(fieldErrors(z.string().safeParse(1).error!)).toEqual({ '(body)': [expect.any(String)] });
  });

  it('throws a 400 AppError with details from parseWith', () => {
    expect(parseWith(schema, { name: 'a', age: 3 })).toEqual({ name: 'a', age: 3 });
    let caught: unknown;
    try {
      parseWith(schema, { name: 'a' }, 'body');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).status).toBe(400);
    expect((caught as AppError).toBody().error).toEqual({ code: 'invalid_request', message: 'The body is invalid.', details: { age: [expect.any(String)] } });
  });

  it('reads JSON bodies: empty as {}, malformed as 400, oversized as 413', async () => {
    const post = (body: string, headers: Record<string, string> = {}) => new Request('http://hub.test/api', { method: 'POST', body, headers });
    expect(await readJson(post(''))).toEqual({});
    expect(await readJson(post('  \n'))).toEqual({});
    expect(await readJson(post('{"a":1}'))).toEqual({ a: 1 });
    await expect(readJson(post('{nope'))).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
    await expect(readJson(post(`"${'x'.repeat(MAX_BODY_BYTES)}"`))).rejects.toMatchObject({ code: 'payload_too_large', status: 413 });
    // Multi-byte text is measured in bytes, not characters.
    await expect(readJson(post(`"${'é'.repeat(MAX_BODY_BYTES / 2)}"`))).rejects.toMatchObject({ code: 'payload_too_large' });
    // A declared length over the cap is refused before the body is read.
    await expect(readJson(post('{}', { 'content-length': String(MAX_BODY_BYTES + 1) }))).rejects.toMatchObject({ code: 'payload_too_large' });
  });
});
