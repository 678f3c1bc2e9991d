/**
 * The SMS OTP fixture for the fraud suites: two Vonage-speaking provider imitations over HTTPS (trusted through the
 * truststore) as the gateways `primary` and `secondary`, the fraud options under test on top, and a login helper
 * that says how many SMS each imitation took.
 */
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { parseCertificates } from '../../src/sms/index.js';
import { makeSelfSignedCertificate } from '../sms/support/tls.js';
import { type Login, type SmsOtpFixture, startSmsOtp } from '../sms-otp/support/fixture.js';
import { type HttpsProvider, namedGateway, startHttpsProvider } from '../sms-otp/support/https-provider.js';
import type { Backend } from '../support/backends.js';

export interface FraudFixture {
  f: SmsOtpFixture;
  primary: HttpsProvider;
  secondary: HttpsProvider;
  /** the two gateways and the fraud options (a full `fraud` object; missing parts take their defaults) */
  configure(fraud: Record<string, unknown>, extra?: Record<string, unknown>): Promise<void>;
  /** a new user with this number, logged in up to the page after the password; `sent` counts SMS to both */
  login(mobile: string): Promise<{ login: Login; username: string; sent: number }>;
  /** SMS both imitations took so far */
  sentTotal(): number;
  stop(): Promise<void>;
}

let serial = 0;
const METRICS_TOKEN = 'fraud-metrics-token-0123456789';

/** The node's Prometheus text. */
export async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

export async function startFraudFixture(options: {
  backend: Backend;
  redis?: boolean;
  plugins?: NonNullable<Parameters<typeof startSmsOtp>[0]>['plugins'];
}): Promise<FraudFixture> {
  // /metrics on the main port, so a suite can read what an operator's scraper would
  const overrides = { metrics: { token: METRICS_TOKEN } };
  const cert = makeSelfSignedCertificate();
  const primary = await startHttpsProvider(cert);
  const secondary = await startHttpsProvider(cert);
  const f = await startSmsOtp({
    backend: options.backend,
    ...(options.redis ? { redis: true } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    overrides,
    config: {
      gateways: [namedGateway('primary', primary.origin), namedGateway('secondary', secondary.origin)],
      breaker: { failures: 0 },
    },
  });
  await f.server.services.truststore.import('imitations', parseCertificates(Buffer.from(cert.certPem)));
  const sentTotal = () => primary.messages.length + secondary.messages.length;
  return {
    f,
    primary,
    secondary,
    async configure(fraud, extra = {}) {
      await f.configure({ fraud, ...extra });
    },
    async login(mobile) {
      serial += 1;
      const username = `fraud-${serial}`;
      await f.addUser(username, { [ClaimUri.mobile]: mobile });
      const before = sentTotal();
      const login = await f.startLogin(username);
      return { login, username, sent: sentTotal() - before };
    },
    sentTotal,
    async stop() {
      await f.stop();
      await Promise.all([primary.close(), secondary.close()]);
    },
  };
}

/** Every fraud defence off: a test spreads what it is about over this. */
export const FRAUD_OFF = {
  block: [],
  allow: [],
  conversion: { minSends: 0 },
  spend: { defaultPrice: 0, prices: {}, dailyCaps: {} },
  challenge: { softLimitPerIp: 0 },
};
