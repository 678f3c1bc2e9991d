/**
 * A small HTTP user agent for protocol tests: keeps cookies per host, follows redirects by hand so each hop can
 * be inspected, and reads and submits the HTML forms of the login pages the way a browser without JavaScript would.
 */
export interface Page {
  url: string;
  status: number;
  html: string;
  headers: Headers;
}

export interface Form {
  action: string;
  method: string;
  fields: Record<string, string>;
}

export class Browser {
  private jar = new Map<string, Map<string, string>>();

  private cookieHeader(url: URL): string {
    const c = this.jar.get(url.host);
    if (!c) return '';
    return [...c].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private store(url: URL, headers: Headers): void {
    const list = headers.getSetCookie();
    if (list.length === 0) return;
    const c = this.jar.get(url.host) ?? new Map<string, string>();
    for (const line of list) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()));
      if (expired || value === '') c.delete(name);
      else c.set(name, value);
    }
    this.jar.set(url.host, c);
  }

  /** One request, no redirect following. */
  async request(
    url: string,
    init: { method?: string; body?: string | URLSearchParams; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const u = new URL(url);
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    const cookie = this.cookieHeader(u);
    if (cookie) headers.cookie = cookie;
    if (init.body instanceof URLSearchParams) headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const res = await fetch(u, {
      method: init.method ?? 'GET',
      headers,
      body: init.body?.toString(),
      redirect: 'manual',
    });
    this.store(u, res.headers);
    return { url, status: res.status, html: await res.text(), headers: res.headers };
  }

  /** Follows redirects until a page answers or `stopAt` matches the next URL (then that URL is returned unvisited). */
  async go(
    url: string,
    init: Parameters<Browser['request']>[1] = {},
    stopAt?: (url: string) => boolean,
  ): Promise<Page> {
    let page = await this.request(url, init);
    for (let i = 0; i < 20 && page.status >= 300 && page.status < 400; i++) {
      const next = new URL(page.headers.get('location')!, page.url).toString();
      if (stopAt?.(next)) return { url: next, status: 0, html: '', headers: new Headers() };
      page = await this.request(next);
    }
    return page;
  }

  /** The first form of a page (or the one whose action contains `match`), with its fields and their values. */
  static form(page: Page, match?: string): Form {
    const forms = [...page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
    const chosen =
      forms.find(
        (f) => !match || (attr(f[1]!, 'action') ?? '').includes(match) || (attr(f[1]!, 'id') ?? '').includes(match),
      ) ?? forms[0];
    if (!chosen) throw new Error(`no form on ${page.url} (status ${page.status}):\n${page.html.slice(0, 500)}`);
    const fields: Record<string, string> = {};
    for (const m of chosen[2]!.matchAll(/<input\b([^>]*)>/gi)) {
      const name = attr(m[1]!, 'name');
      if (name) fields[name] = decode(attr(m[1]!, 'value') ?? '');
    }
    return {
      action: new URL(decode(attr(chosen[1]!, 'action') ?? page.url), page.url).toString(),
      method: (attr(chosen[1]!, 'method') ?? 'get').toUpperCase(),
      fields,
    };
  }

  /** Fills and submits a form, following redirects (optionally stopping at a URL). */
  async submit(form: Form, values: Record<string, string>, stopAt?: (url: string) => boolean): Promise<Page> {
    const body = new URLSearchParams({ ...form.fields, ...values });
    return this.go(form.action, { method: form.method, body }, stopAt);
  }
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return m ? (m[2] ?? m[3]) : undefined;
}

function decode(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x2F;/g, '/')
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&');
}
