/**
 * The metrics docs and the Grafana dashboard stay in step with the registry: every Stepgate metric is documented in
 * docs/operations.md, every documented one exists, and the dashboard queries only metrics that exist.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AuditLog } from '../../src/identity/audit.js';
import type { PasswordHasher } from '../../src/identity/passwords.js';
import { createMetrics } from '../../src/web/metrics.js';

const root = join(import.meta.dirname, '..', '..');

async function registered(): Promise<Set<string>> {
  const metrics = createMetrics({
    audit: { onRecord: () => () => undefined } as unknown as AuditLog,
    hasher: { inFlight: () => 0 } as unknown as PasswordHasher,
    stateKind: 'sql',
  });
  const names = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
  metrics.close();
  return names;
}

test('docs/operations.md lists every stepgate_ metric, and only those', async () => {
  const names = [...(await registered())].filter((n) => n.startsWith('stepgate_'));
  const doc = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `(stepgate_[a-z0-9_]+)` \|/gm)].map((m) => m[1]!));
  for (const name of names) assert.ok(documented.has(name), `${name} is not documented`);
  for (const name of documented) assert.ok(names.includes(name), `${name} is documented but not registered`);
});

test('the Grafana dashboard queries only metrics the registry has', async () => {
  const names = await registered();
  const dashboard = JSON.parse(readFileSync(join(root, 'docs', 'grafana', 'stepgate.json'), 'utf8')) as {
    panels: { targets?: { expr: string }[] }[];
  };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  assert.ok(exprs.length >= 15);
  const used = new Set(
    exprs.flatMap((e) => [...e.matchAll(/\b((?:stepgate|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1]!)),
  );
  for (const name of used) {
    const base = name.replace(/_(bucket|count|sum)$/, '');
    assert.ok(names.has(name) || names.has(base), `the dashboard queries ${name}, which is not registered`);
  }
  for (const name of [...names].filter((n) => n.startsWith('stepgate_')))
    assert.ok(
      [...used].some((u) => u.startsWith(name)),
      `${name} has no panel`,
    );
});
