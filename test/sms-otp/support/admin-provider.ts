/**
 * The admin-API suites that save SMS OTP options: a server with the admin API, a client with a token, and the
 * identity provider `smsOTP` created through the API with the configuration given; `put` saves another configuration
 * on it, `stored` reads back what the store holds.
 */
import assert from 'node:assert/strict';
import { type Answer, client, clientToken, startAdminServer } from '../../admin-api/support.js';
import type { Backend } from '../../support/backends.js';
import type { TestServer } from '../../support/server.js';

export interface SmsOtpAdmin {
  server: TestServer;
  call: ReturnType<typeof client>;
  /** the identity provider's id */
  id: string;
  put(config: Record<string, unknown>): Promise<Answer>;
  stored(): Promise<Record<string, unknown>>;
}

export async function startSmsOtpAdmin(backend: Backend, config: Record<string, unknown>): Promise<SmsOtpAdmin> {
  const server = await startAdminServer(backend);
  const call = client(server, await clientToken(server));
  const created = await call('POST', '/identity-providers', {
    name: 'smsOTP',
    authenticators: [{ type: 'sms-otp', enabled: true, config }],
  });
  assert.equal(created.status, 201, created.text);
  const id: string = created.body.id;
  return {
    server,
    call,
    id,
    put: (next) =>
      call('PUT', `/identity-providers/${id}`, { authenticators: [{ type: 'sms-otp', enabled: true, config: next }] }),
    stored: async () => (await server.services.identityProviders.get(id))!.authenticators[0]!.config,
  };
}
