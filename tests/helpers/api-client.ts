/** A tiny cookie-keeping HTTP client, one per simulated browser. */
export class ApiClient {
  cookie = '';

  constructor(private readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(';');
      const [name, value] = pair!.split('=');
      const rest = this.cookie
        .split('; ')
        .filter((c) => c && !c.startsWith(`${name}=`));
      this.cookie = [...rest, ...(value ? [`${name}=${value}`] : [])].join('; ');
    }
    const text = await response.text();
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, body?: unknown) => this.request('POST', path, body ?? {});
  patch = (path: string, body?: unknown) => this.request('PATCH', path, body ?? {});
  delete = (path: string) => this.request('DELETE', path);

  async signUp(name: string, email = `${name.toLowerCase().replace(/\W+/g, '')}-${Math.random().toString(36).slice(2, 8)}@example.com`, password = 'correct horse battery') {
    const res = await this.post('/api/auth/sign-up', { name, email, password });
    if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${res.text}`);
    return res.json.user as { id: string; name: string; email: string };
  }
}
