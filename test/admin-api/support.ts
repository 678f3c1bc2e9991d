/**
 * Fixtures for the admin API and SCIM suites: a real Stepgate with both plugins, admin tokens obtained the way an
 * automation client gets them (client credentials at /oidc/token), a small JSON client and a loopback SMS provider,
 * against the real `sms-otp` authenticator (its configuration nests the gateway under `gateway`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { ADMIN_SCOPE } from '../../src/oidc/provider.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { scimPlugin } from '../../src/web/scim/index.js';
import type { Backend } from '../support/backends.js';
import { startStepgate, type TestServer } from '../support/server.js';

export const API = '/api/admin/v1';

type AnyPlugin = FastifyPluginAsync<Record<string, unknown>>;

export async function startAdminServer(
  backend: Backend,
  opts: { rateLimit?: { max: number; timeWindow: number } } = {},
): Promise<TestServer> {
  return startStepgate({
    backend,
    plugins: (services) => [
      {
        plugin: adminApiPlugin as unknown as AnyPlugin,
        options: { services, checkResponses: true, rateLimit: opts.rateLimit ?? { max: 10_000, timeWindow: 60_000 } },
      },
      { plugin: scimPlugin as unknown as AnyPlugin, options: { services, checkResponses: true } },
    ],
  });
}

/** A client-credentials token, from a new automation application that may (or may not) ask for the admin scope. */
export async function clientToken(
  server: TestServer,
  opts: { adminScope?: boolean; name?: string } = {},
): Promise<string> {
  const admin = opts.adminScope ?? true;
  const { application, clientSecret } = await server.services.applications.create({
    name: opts.name ?? `automation-${Math.random().toString(36).slice(2, 8)}`,
    grantTypes: ['client_credentials'],
    extraScopes: admin ? [ADMIN_SCOPE] : [],
  });
  const res = await fetch(`${server.url}/oidc/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${application.clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: admin
      ? `grant_type=client_credentials&scope=${encodeURIComponent(ADMIN_SCOPE)}`
      : 'grant_type=client_credentials',
  });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are asserted field by field
  body: T & Record<string, any>;
}

export function client(server: TestServer, token: string | undefined, base = API) {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const init: RequestInit = {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${server.url}${base}${path}`, init);
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = {};
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  };
}

export interface MockProvider {
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  answer: { status: number; body: string };
  close(): Promise<void>;
}

/** A loopback HTTP SMS provider that records what it receives and answers as told. */
export async function mockSmsProvider(): Promise<MockProvider> {
  const mock: MockProvider = {
    url: '',
    requests: [],
    answer: { status: 200, body: '{"message-count":"1","messages":[{"status":"0","message-id":"m-1"}]}' },
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      mock.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(mock.answer.status, { 'content-type': 'application/json' });
      res.end(mock.answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mock.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mock.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return mock;
}
