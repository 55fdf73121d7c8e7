// A tiny JSON client for the authority's HTTP API (node's fetch).
export interface Answer {
  status: number;
  json: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export class Client {
  constructor(readonly url: string) {}
  async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    return this.send('POST', path, typeof body === 'string' ? body : JSON.stringify(body), headers);
  }
  async get(path: string): Promise<Answer> {
    return this.send('GET', path);
  }
  async send(method: string, path: string, body?: string | Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
    const r = await fetch(this.url + path, { method, body, headers: { 'content-type': 'application/json', ...headers } });
    const text = await r.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { text };
    }
    return { status: r.status, json };
  }
}
