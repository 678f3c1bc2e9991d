/**
 * The fraud options as an operator saves them: through the admin API, bad ones are refused with a 400 problem that
 * names the field (schema checks and the checks the schema cannot make), a partial `fraud` object keeps the other
 * parts, and the change is audited; a setup file with a bad option is refused naming its line and field, and
 * `stepgate export` gives the options back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { applySetup, parseSetup, SetupError } from '../../src/setup/apply.js';
import { exportSetupYaml } from '../../src/setup/export.js';
import { type SmsOtpAdmin, startSmsOtpAdmin } from '../sms-otp/support/admin-provider.js';
import { namedGateway } from '../sms-otp/support/https-provider.js';
import { suiteNeeding, variants } from '../support/backends.js';
import type { TestServer } from '../support/server.js';

const GATEWAYS = [namedGateway('primary', 'https://one.example'), namedGateway('secondary', 'https://two.example')];

for (const { name, backend, skip } of variants()) {
  suiteNeeding(skip, `SMS fraud options saved through the admin API and setup files on ${name}`, () => {
    let server: TestServer;
    let call: SmsOtpAdmin['call'];
    let id: string;
    let put: SmsOtpAdmin['put'];
    let admin: SmsOtpAdmin;

    before(async () => {
      admin = await startSmsOtpAdmin(backend, { gateways: GATEWAYS });
      ({ server, call, id, put } = admin);
    });
    after(() => server.stop());

    const stored = async () => (await admin.stored()).fraud as Record<string, unknown>;

    test('bad fraud options are refused with a problem naming each field; nothing is saved', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ block: ['XX'] }, 'fraud.block[0]'],
        [{ block: ['94'] }, 'fraud.block[0]'],
        [{ allow: ['+94', 'LK'], block: ['+94'] }, 'fraud.allow[0]'],
        [{ conversion: { minVerifiedPercent: 150 } }, 'fraud.conversion.minVerifiedPercent'],
        [{ conversion: { action: 'explode' } }, 'fraud.conversion.action'],
        [{ conversion: { minSends: 10, action: 'slow', slowMax: 20 } }, 'fraud.conversion.slowMax'],
        [{ spend: { prices: { ZZ: 0.1 } } }, 'fraud.spend.prices.ZZ'],
        [{ spend: { prices: { GB: -1 } } }, 'fraud.spend.prices'],
        [{ spend: { dailyCaps: { nowhere: 5 } } }, 'fraud.spend.dailyCaps.nowhere'],
        [{ challenge: { difficultyBits: 40 } }, 'fraud.challenge.difficultyBits'],
        [{ surprise: true }, 'fraud'],
      ];
      for (const [fraud, field] of cases) {
        const answer = await put({ gateways: GATEWAYS, fraud });
        assert.equal(answer.status, 400, `${JSON.stringify(fraud)}: ${answer.text}`);
        assert.match(String(answer.headers.get('content-type')), /application\/problem\+json/);
        assert.ok(answer.body.type && answer.body.title && answer.body.detail, answer.text);
        const fields = (answer.body.errors as { field: string }[]).map((e) => e.field);
        assert.ok(
          fields.some((f) => f.startsWith(`authenticators[0].config.${field}`)),
          `${JSON.stringify(fraud)}: ${JSON.stringify(fields)}`,
        );
      }
      assert.deepEqual((await stored()).block, [], 'nothing was saved');
    });

    test('good options are saved and audited; a partial fraud object keeps the parts it does not name', async () => {
      const saved = await put({
        gateways: GATEWAYS,
        fraud: {
          block: ['NG', '+4470'],
          allow: ['+234803'],
          conversion: { minSends: 50, minVerifiedPercent: 25, windowMinutes: 120, prefixDigits: 4, action: 'slow' },
          spend: { defaultPrice: 0.05, prices: { GB: 0.04, '+44790': 0.5 }, dailyCaps: { primary: 100 } },
          challenge: { softLimitPerIp: 10, difficultyBits: 20 },
        },
      });
      assert.equal(saved.status, 200, saved.text);
      const patched = await put({ gateways: GATEWAYS, fraud: { block: ['NG'] } });
      assert.equal(patched.status, 200, patched.text);
      const fraud = await stored();
      assert.deepEqual(fraud.block, ['NG']);
      assert.deepEqual(fraud.allow, ['+234803']);
      assert.equal((fraud.conversion as { minSends: number }).minSends, 50);
      assert.deepEqual((fraud.spend as { dailyCaps: unknown }).dailyCaps, { primary: 100 });
      const read = (await call('GET', `/identity-providers/${id}`)).body.authenticators[0].config.fraud;
      assert.equal(read.challenge.difficultyBits, 20);
      assert.equal(read.challenge.expirySeconds, 300, 'defaults filled in');
      const { events } = await server.services.audit.query({ event: 'admin.identity-provider.update', limit: 10 });
      assert.ok(events.length >= 2, 'each change is audited');
    });

    test('a setup file with a bad fraud option is refused naming the line and field; export gives the options back', async () => {
      const yaml = await exportSetupYaml(server.services);
      assert.match(yaml, /fraud:/);
      assert.match(yaml, /\+234803/);
      const bad = yaml.replace(/minVerifiedPercent: 25/, 'minVerifiedPercent: 0');
      assert.notEqual(bad, yaml);
      await assert.rejects(
        applySetup(server.services, parseSetup(bad, 'fraud.yaml', {}), 'fraud.yaml'),
        (e: unknown) => {
          assert.ok(e instanceof SetupError, String(e));
          assert.match(e.message, /fraud\.yaml line \d+/);
          assert.match(e.message, /minVerifiedPercent/);
          return true;
        },
      );
      assert.equal(((await stored()).conversion as { minVerifiedPercent: number }).minVerifiedPercent, 25);
    });
  });
}
