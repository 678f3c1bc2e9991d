/**
 * The receipts suites' Stepgate: the SMS OTP fixture (password then SMS OTP) with the five provider imitations over
 * HTTPS behind one imported certificate, a gateway per imitation, and helpers to reach a code page and read the
 * message log.
 */
import assert from 'node:assert/strict';
import { ClaimUri } from '../../../src/identity/claim-uris.js';
import { type ProviderId, parseCertificates } from '../../../src/sms/index.js';
import type { SmsMessage } from '../../../src/sms/receipts/index.js';
import { makeSelfSignedCertificate } from '../../sms/support/tls.js';
import { type Login, type SmsOtpFixture, startSmsOtp } from '../../sms-otp/support/fixture.js';
import type { Backend } from '../../support/backends.js';
import type { StartOptions } from '../../support/server.js';
import { type Imitation, startImitation, VONAGE_SIGNATURE_SECRET } from './providers.js';

export const PROVIDERS: ProviderId[] = ['vonage', 'twilio', 'plivo', 'clickatell', 'bulksms'];

export interface ReceiptsSetup {
  f: SmsOtpFixture;
  idpId: string;
  imitations: Record<ProviderId, Imitation>;
  /** the SMS OTP configuration's gateways: one per imitation named after it, in this order */
  useGateways(...names: ProviderId[]): Promise<void>;
  /** a new user with a Sri Lankan mobile number, through the password step to the code page */
  login(): Promise<{ login: Login; username: string }>;
  /** the message the log recorded for a provider's message id */
  recorded(providerMessageId: string): Promise<SmsMessage>;
  /** the receipt's answer was 204 and the message is now delivered, its timeline accepted then delivered */
  assertDelivered(answer: Response, messageId: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startReceipts(
  backend: Backend,
  options: { overrides?: Record<string, unknown>; plugins?: StartOptions['plugins'] } = {},
): Promise<ReceiptsSetup> {
  const cert = makeSelfSignedCertificate();
  const f = await startSmsOtp({
    backend,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
  });
  await f.server.services.truststore.import('imitations', parseCertificates(Buffer.from(cert.certPem)));
  const imitations = {} as Record<ProviderId, Imitation>;
  for (const p of PROVIDERS)
    imitations[p] = await startImitation(p, cert, p === 'vonage' ? { signatureSecret: VONAGE_SIGNATURE_SECRET } : {});
  const idp = await f.server.services.identityProviders.getByName('smsOTP');
  const idpId = idp!.id;
  // the providers whose callback is an account setting: the operator copies the receipt URL there
  for (const p of ['clickatell', 'bulksms'] as const)
    imitations[p].accountCallback = f.server.services.smsMessages.receiptUrl(idpId, p);
  let serial = 0;
  return {
    f,
    idpId,
    imitations,
    async useGateways(...names) {
      await f.configure({
        gateways: names.map((name) => ({
          name,
          connectTimeoutMs: 2000,
          responseTimeoutMs: 2000,
          preset: { provider: name, fields: imitations[name].fields() },
        })),
        routes: [],
      });
    },
    async login() {
      serial += 1;
      const username = `receipts-${serial}`;
      await f.addUser(username, { [ClaimUri.mobile]: `+9477${String(1000000 + serial).slice(-7)}` });
      const login = await f.startLogin(username);
      assert.match(
        login.page.html,
        /autocomplete="one-time-code"/,
        `expected the code page:\n${login.page.html.slice(0, 600)}`,
      );
      return { login, username };
    },
    async recorded(providerMessageId) {
      const { items } = await f.server.services.smsMessages.list({ offset: 0, limit: 200 });
      const found = items.find((m) => m.providerMessageId === providerMessageId);
      assert.ok(found, `no message recorded for ${providerMessageId}: ${JSON.stringify(items.slice(0, 3))}`);
      return found;
    },
    async assertDelivered(answer, messageId) {
      assert.equal(answer.status, 204, await answer.text());
      const delivered = await f.server.services.smsMessages.get(messageId);
      assert.equal(delivered?.status, 'delivered');
      assert.deepEqual(
        delivered?.timeline.map((t) => t.status),
        ['accepted', 'delivered'],
      );
    },
    async stop() {
      await f.stop();
      await Promise.all(Object.values(imitations).map((i) => i.close()));
    },
  };
}
