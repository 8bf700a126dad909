import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createSecureServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { resetEnv } from '@/lib/env';
import { checkPublicUrl, fetchPublic, OutboundError, OUTBOUND_USER_AGENT, type Lookup } from '@/lib/outbound';
import { isPublicAddress } from '@/lib/outbound/addresses';
import { setEnv, withEnv } from '../helpers/env';

/*
 * Real HTTP servers on 127.0.0.1, port 0. Nothing here reaches beyond loopback: internet names
 * are answered by a fixed `lookup`, never by real DNS, and private literals are refused before
 * any connection.
 */

type Received = { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer };
type TestServer = { port: number; origin: string; received: Received[]; connections: number; close(): Promise<void> };

const open: Server[] = [];

// A self-signed certificate for secure.test (valid until 2126), made for this test only.
const SELF_SIGNED = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWgNcIS+Z76cpyI4s
GYVyF0RyDus28eWB7eXSTlg/UUmhRANCAAQsPYwqabbkQWZgyNx32wjnNbRqgi8n
cdvpFyWx7CwbSPdN8x426IRCGLkSqlGyqRjH7ZWANRfWfSQmuMryPUat
-----END PRIVATE KEY-----`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUPCcZHae2tsGkW0PvtygzKvfX/bwwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLc2VjdXJlLnRlc3QwIBcNMjYxMjAxMjI1MDQ4WhgPMjEyNjEx
MDcyMjUwNDhaMBYxFDASBgNVBAMMC3NlY3VyZS50ZXN0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAELD2MKmm25EFmYMjcd9sI5zW0aoIvJ3Hb6RclsewsG0j3TfMe
NuiEQhi5EqpRsqkYx+2VgDUX1n0kJrjK8j1GraNrMGkwHQYDVR0OBBYEFESsiGxJ
UOfFfo0cx07bUcXgcpbcMB8GA1UdIwQYMBaAFESsiGxJUOfFfo0cx07bUcXgcpbc
MA8GA1UdEwEB/wQFMAMBAf8wFgYDVR0RBA8wDYILc2VjdXJlLnRlc3QwCgYIKoZI
zj0EAwIDRwAwRAIgBsjGO+shtg9okyU/YCZzFDqTAK4S2D0rfoiYGxVbWl4CIDDh
cD46V3pY1RHYw4kUU0TBTyqND8+L3GMK4Fy66YsC
-----END CERTIFICATE-----`,
};

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<TestServer> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  const state = { connections: 0 };
  server.on('connection', () => (state.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push(server);
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    received,
    get connections() {
      return state.connections;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }));
  resetEnv();
});

const allow = (hosts: string) => setEnv({ OUTBOUND_ALLOW_HOSTS: hosts });
let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

async function failure(promise: Promise<unknown>): Promise<OutboundError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OutboundError);
  return error as OutboundError;
}

const hello = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-custom': 'yes' });
  res.end('<h1>hello</h1>');
};

describe('fetchPublic: who may be reached', () => {
  it('refuses a loopback server when no host is allow-listed, without connecting to it', async () => {
    const site = await serve(hello);
    restore = setEnv({ OUTBOUND_ALLOW_HOSTS: undefined });
    const error = await failure(fetchPublic(`${site.origin}/page`));
    expect(error.code).toBe('blocked');
    expect(error.message).toBe('That address is not public; the hub only fetches public web pages.');
    expect(site.connections).toBe(0);
  });

  it('fetches from a host:port named in OUTBOUND_ALLOW_HOSTS, with its User-Agent', async () => {
    const site = await serve(hello);
    restore = allow(`127.0.0.1:${site.port}`);
    const page = await fetchPublic(`${site.origin}/page?q=1`, { accept: 'text/html' });
    expect(page).toMatchObject({ url: `${site.origin}/page?q=1`, status: 200, contentType: 'text/html; charset=utf-8' });
    expect(page.headers['x-custom']).toBe('yes');
    expect(page.body.toString('utf8')).toBe('<h1>hello</h1>');
    expect(site.received[0]).toMatchObject({ method: 'GET', url: '/page?q=1' });
    expect(site.received[0]!.headers['user-agent']).toBe(OUTBOUND_USER_AGENT);
    expect(OUTBOUND_USER_AGENT).toBe('NeurocacheBot/1.0 (+https://neurocache.ai)');
    expect(site.received[0]!.headers.accept).toBe('text/html');
  });

  it('lets a bare host entry through on any port, and a host:port entry on that port only', async () => {
    const [first, second] = [await serve(hello), await serve(hello)];
    await withEnv({ OUTBOUND_ALLOW_HOSTS: ' Example.test , 127.0.0.1 ' }, async () => {
      expect((await fetchPublic(first.origin)).status).toBe(200);
      expect((await fetchPublic(second.origin)).status).toBe(200);
    });
    await withEnv({ OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${first.port}` }, async () => {
      expect((await fetchPublic(first.origin)).status).toBe(200);
      expect((await failure(fetchPublic(second.origin))).code).toBe('blocked');
    });
    expect(second.connections).toBe(1);
  });

  it.each(['http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0/', 'http://192.168.1.1:8080/', 'http://172.16.0.5/', 'http://100.64.0.1/', 'http://224.0.0.1/', 'http://[fe80::1]/', 'http://[fd00::1]/', 'http://[64:ff9b::a00:1]/', 'http://2130706433/', 'http://0x7f.1/', 'https://127.1/'])(
    'refuses the private literal %s before any connection',
    async (url) => {
      const started = Date.now();
      const lookup = jest.fn<ReturnType<Lookup>, Parameters<Lookup>>();
      const error = await failure(fetchPublic(url, { lookup }));
      expect(error.code).toBe('blocked');
      expect(lookup).not.toHaveBeenCalled();
      expect(Date.now() - started).toBeLessThan(1000);
      expect((await failure(checkPublicUrl(url))).code).toBe('blocked');
    },
  );

  it('refuses mapped and unspecified spellings of a loopback server that is listening', async () => {
    const site = await serve(hello);
    for (const host of ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0', '127.000.000.001']) {
      expect((await failure(fetchPublic(`http://${host}:${site.port}/`))).code).toBe('blocked');
    }
    expect(site.connections).toBe(0);
  });

  it('requires every address a name resolves to be public', async () => {
    const lookup: Lookup = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    expect((await failure(fetchPublic('https://mixed.example/', { lookup }))).code).toBe('blocked');
    expect((await failure(checkPublicUrl('https://mixed.example/', { lookup }))).code).toBe('blocked');
    const rebinding: Lookup = async () => [{ address: '::ffff:169.254.169.254', family: 6 }];
    expect((await failure(fetchPublic('http://metadata.example/', { lookup: rebinding }))).code).toBe('blocked');
  });

  it('connects to the address it checked, with the name in the Host header', async () => {
    const site = await serve(hello);
    restore = allow('docs.test');
    const lookup = jest.fn<ReturnType<Lookup>, Parameters<Lookup>>(async () => [{ address: '127.0.0.1', family: 4 }]);
    const page = await fetchPublic(`http://docs.test:${site.port}/a`, { lookup });
    expect(page.status).toBe(200);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith('docs.test');
    expect(site.received[0]!.headers.host).toBe(`docs.test:${site.port}`);
  });

  it('verifies TLS certificates against the name, sent as SNI, while connecting to the checked address', async () => {
    const servernames: string[] = [];
    const server = createSecureServer({ ...SELF_SIGNED, SNICallback: (name, done) => {
      servernames.push(name);
      done(null, createSecureContext(SELF_SIGNED));
    } }, hello);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    open.push(server);
    const { port } = server.address() as AddressInfo;
    restore = allow('secure.test');
    const error = await failure(fetchPublic(`https://secure.test:${port}/`, { lookup: async () => [{ address: '127.0.0.1', family: 4 }] }));
    expect(error).toMatchObject({ code: 'unreachable', message: "The site's secure connection could not be verified." });
    expect(servernames).toEqual(['secure.test']);
  });

  it('matches allow-listed IPv6 hosts in brackets or bare', async () => {
    await withEnv({ OUTBOUND_ALLOW_HOSTS: '[::1]:8443' }, async () => {
      expect((await checkPublicUrl('https://[::1]:8443/')).hostname).toBe('[::1]');
      expect((await failure(checkPublicUrl('https://[::1]:8444/'))).code).toBe('blocked');
    });
    await withEnv({ OUTBOUND_ALLOW_HOSTS: '::1' }, async () => {
      expect((await checkPublicUrl('http://[::1]:1234/')).port).toBe('1234');
    });
  });

  it('says when a name cannot be found', async () => {
    const lookup: Lookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const error = await failure(fetchPublic('https://nowhere.example/', { lookup }));
    expect(error).toMatchObject({ code: 'unreachable', message: 'The address nowhere.example could not be found.' });
  });

  it('says when nothing listens at an allowed address', async () => {
    const site = await serve(hello);
    await site.close();
    restore = allow('127.0.0.1');
    expect(await failure(fetchPublic(site.origin))).toMatchObject({ code: 'unreachable', message: 'The site could not be reached.' });
  });

  it.each([
    ['ftp://127.0.0.1/file', 'Only http:// and https:// addresses can be fetched.'],
    ['file:///etc/passwd', 'Only http:// and https:// addresses can be fetched.'],
    ['javascript:alert(1)', 'Only http:// and https:// addresses can be fetched.'],
    ['http://user:pass@127.0.0.1/', 'Addresses with a user name or password in them are not accepted.'],
    ['http://user@127.0.0.1/', 'Addresses with a user name or password in them are not accepted.'],
    ['not a url', 'That is not a valid web address.'],
    ['http://', 'That is not a valid web address.'],
  ])('refuses %s as an invalid URL', async (url, message) => {
    restore = allow('127.0.0.1');
    expect(await failure(fetchPublic(url))).toMatchObject({ code: 'invalid_url', message });
    expect(await failure(checkPublicUrl(url))).toMatchObject({ code: 'invalid_url', message });
  });

  it('checkPublicUrl answers the parsed URL for an allowed host', async () => {
    restore = allow('127.0.0.1:9');
    const url = await checkPublicUrl('http://127.0.0.1:9/path#frag');
    expect(url).toBeInstanceOf(URL);
    expect(url.href).toBe('http://127.0.0.1:9/path#frag');
  });
});

describe('fetchPublic: redirects', () => {
  it('refuses a redirect from an allowed host to a loopback port that is not allowed', async () => {
    const target = await serve(hello);
    const site = await serve((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/secret` });
      res.end();
    });
    restore = allow(`127.0.0.1:${site.port}`);
    expect((await failure(fetchPublic(site.origin))).code).toBe('blocked');
    expect(site.received).toHaveLength(1);
    expect(target.connections).toBe(0);
  });

  it('follows relative redirects and reports the final URL', async () => {
    const site = await serve((req, res) => {
      if (req.url === '/start') res.writeHead(301, { location: '/middle' }).end();
      else if (req.url === '/middle') res.writeHead(308, { location: 'end?x=1' }).end();
      else hello(req, res);
    });
    restore = allow(`127.0.0.1:${site.port}`);
    const page = await fetchPublic(`${site.origin}/start`);
    expect(page.url).toBe(`${site.origin}/end?x=1`);
    expect(site.received.map((r) => r.url)).toEqual(['/start', '/middle', '/end?x=1']);
  });

  it('caps a redirect loop at maxRedirects', async () => {
    const site = await serve((_req, res) => res.writeHead(302, { location: '/again' }).end());
    restore = allow(`127.0.0.1:${site.port}`);
    const error = await failure(fetchPublic(site.origin));
    expect(error).toMatchObject({ code: 'http_error', status: 302, message: 'The site redirected more than 5 times.' });
    expect(site.received).toHaveLength(6);
    await failure(fetchPublic(site.origin, { maxRedirects: 1 }));
    expect(site.received).toHaveLength(8);
  });

  it('turns a POST into a GET after 303, and keeps it a POST after 307', async () => {
    const site = await serve((req, res) => {
      if (req.url === '/see-other') res.writeHead(303, { location: '/result' }).end();
      else if (req.url === '/temporary') res.writeHead(307, { location: '/result' }).end();
      else hello(req, res);
    });
    restore = allow(`127.0.0.1:${site.port}`);
    await fetchPublic(`${site.origin}/see-other`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    await fetchPublic(`${site.origin}/temporary`, { method: 'POST', body: new Uint8Array([1, 2, 3]) });
    const [first, second, third, fourth] = site.received;
    expect([first!.method, first!.body.toString('utf8'), first!.headers['content-length']]).toEqual(['POST', '{"a":1}', '7']);
    expect([second!.method, second!.body.length, second!.headers['content-type']]).toEqual(['GET', 0, undefined]);
    expect([third!.method, fourth!.method, [...fourth!.body]]).toEqual(['POST', 'POST', [1, 2, 3]]);
  });

  it("drops the caller's headers on a hop to another origin", async () => {
    const other = await serve(hello);
    const site = await serve((_req, res) => res.writeHead(302, { location: `${other.origin}/landing` }).end());
    restore = allow('127.0.0.1');
    await fetchPublic(site.origin, { headers: { authorization: 'Bearer secret', 'x-api-key': 'k', 'accept-language': 'fr' } });
    expect(site.received[0]!.headers).toMatchObject({ authorization: 'Bearer secret', 'x-api-key': 'k' });
    expect(other.received[0]!.headers.authorization).toBeUndefined();
    expect(other.received[0]!.headers['x-api-key']).toBeUndefined();
    expect(other.received[0]!.headers['accept-language']).toBe('fr');
    expect(other.received[0]!.headers['user-agent']).toBe(OUTBOUND_USER_AGENT);
  });
});

describe('fetchPublic: size, time and status', () => {
  it('refuses a body whose Content-Length is over the cap without reading it', async () => {
    const site = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(20 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
    });
    restore = allow('127.0.0.1');
    expect(await failure(fetchPublic(site.origin))).toMatchObject({ code: 'too_large', message: 'The page is larger than 10 MB.' });
    expect((await failure(fetchPublic(site.origin, { maxBytes: 1500 }))).message).toBe('The page is larger than 1.5 KB.');
  });

  it('stops reading a streamed body once it passes the cap', async () => {
    let sent = 0;
    const site = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 97);
      // Sends forever; only the client closing the connection ends it.
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    restore = allow('127.0.0.1');
    const error = await failure(fetchPublic(site.origin, { maxBytes: 1024 * 1024 }));
    expect(error.code).toBe('too_large');
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('caps the decompressed size of a gzip bomb', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const site = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    });
    restore = allow('127.0.0.1');
    const before = process.memoryUsage().rss;
    expect((await failure(fetchPublic(site.origin, { maxBytes: 2 * 1024 * 1024 }))).code).toBe('too_large');
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  it.each([
    ['gzip', (data: Buffer) => zlib.gzipSync(data)],
    ['br', (data: Buffer) => zlib.brotliCompressSync(data)],
    ['deflate', (data: Buffer) => zlib.deflateSync(data)],
  ])('decodes a %s body', async (encoding, compress) => {
    const text = Buffer.from('Neurocache '.repeat(5000));
    const site = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': encoding });
      res.end(compress(text));
    });
    restore = allow('127.0.0.1');
    const page = await fetchPublic(site.origin);
    expect(page.body.equals(text)).toBe(true);
    expect(site.received[0]!.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('says so when a compressed body is corrupt', async () => {
    const site = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      res.end(Buffer.from('this is not gzip at all'));
    });
    restore = allow('127.0.0.1');
    expect((await failure(fetchPublic(site.origin))).message).toBe('The site answered in an encoding the hub cannot read.');
  });

  it('gives up on a server that never answers within the time limit', async () => {
    const site = await serve(() => {});
    restore = allow('127.0.0.1');
    const started = Date.now();
    const error = await failure(fetchPublic(site.origin, { timeoutMs: 300 }));
    expect(error).toMatchObject({ code: 'timeout', message: 'The site took longer than 0.3 seconds to answer.' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('counts the time spent reading the body, not only waiting for headers', async () => {
    const site = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('.')), 50);
      res.on('close', () => clearInterval(timer));
    });
    restore = allow('127.0.0.1');
    const started = Date.now();
    expect((await failure(fetchPublic(site.origin, { timeoutMs: 400 }))).code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('uses OUTBOUND_TIMEOUT_MS when no limit is given', async () => {
    const site = await serve(() => {});
    restore = setEnv({ OUTBOUND_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_TIMEOUT_MS: '200' });
    expect(await failure(fetchPublic(site.origin))).toMatchObject({ code: 'timeout', message: 'The site took longer than 0.2 seconds to answer.' });
  });

  it('ends with the abort reason when the caller aborts', async () => {
    const site = await serve(() => {});
    restore = allow('127.0.0.1');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('person left')), 50);
    await expect(fetchPublic(site.origin, { signal: controller.signal })).rejects.toThrow('person left');
  });

  it('fails with http_error and the status for a non-2xx answer, unless asked for it', async () => {
    const site = await serve((_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page'));
    restore = allow('127.0.0.1');
    expect(await failure(fetchPublic(site.origin))).toMatchObject({ code: 'http_error', status: 404, message: 'The site answered 404.' });
    const answer = await fetchPublic(site.origin, { allowErrorStatus: true });
    expect([answer.status, answer.body.toString('utf8')]).toEqual([404, 'no such page']);
  });
});

describe('isPublicAddress', () => {
  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])('counts %s as public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '0.1.2.3',
    '224.0.0.251', '239.255.255.250', '240.0.0.1', '255.255.255.255', '192.0.0.170', '192.0.2.1', '198.18.0.1', '198.51.100.7', '203.0.113.9',
    '::', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::127.0.0.1', 'fc00::1', 'fd12:3456::1',
    'fe80::1', 'fe80::1%eth0', 'ff02::1', '64:ff9b::127.0.0.1', '64:ff9b::a9fe:a9fe', '64:ff9b:1::1', '2002:7f00:1::1', '2002:a00:1::', '2001::1',
    '2001:db8::1', '3fff::1', 'not-an-ip', '',
  ])('counts %s as not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});
