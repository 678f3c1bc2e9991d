/**
 * The delivery metrics are fed by the receipt endpoint's audit events: a receipt that moves a message counts once
 * under its new status, a replay counts nothing, each refusal counts under its reason. Through real receipts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMetrics, type Metrics } from '../../src/web/metrics.js';
import { sqliteBackend } from '../support/backends.js';
import { post } from './support/providers.js';
import { type ReceiptsSetup, startReceipts } from './support/setup.js';

let r: ReceiptsSetup;
let metrics: Metrics;
before(async () => {
  r = await startReceipts(sqliteBackend);
  const s = r.f.server.services;
  metrics = createMetrics({ audit: s.audit, hasher: s.hasher, stateKind: s.state.kind });
});
after(async () => {
  metrics?.close();
  await r?.stop();
});

async function value(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const entry = (metric?.values ?? []).find((v) =>
    Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
  );
  return Number(entry?.value ?? 0);
}

test('stepgate_sms_delivery_total counts each move once; stepgate_sms_receipts_refused_total each refusal', async () => {
  await r.useGateways('plivo');
  await r.login();
  const sent = r.imitations.plivo.sent.at(-1)!;
  const labels = { gateway: 'plivo', provider: 'plivo', status: 'failed' };
  assert.equal(await value('stepgate_sms_delivery_total', labels), 0);
  await post(r.imitations.plivo.receipt(sent, 'intermediate'));
  await post(r.imitations.plivo.receipt(sent, 'failed'));
  await post(r.imitations.plivo.receipt(sent, 'failed'));
  assert.equal(await value('stepgate_sms_delivery_total', labels), 1);
  assert.equal(await value('stepgate_sms_delivery_total', { ...labels, status: 'accepted' }), 0);
  await post(r.imitations.plivo.receipt(sent, 'delivered', { sign: false }));
  assert.equal(await value('stepgate_sms_receipts_refused_total', { reason: 'bad-signature' }), 1);
});
