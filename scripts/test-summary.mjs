// A second reporter for run-tests.mjs: counts passed, failed and skipped tests (suites are not tests) and the reasons
// for the skips, and writes them as one JSON line to its destination so the runner can close with a summary.
export default async function* summary(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, todo: 0 };
  const reasons = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const data = event.data;
    if (data.details?.type === 'suite') continue;
    if (data.skip !== undefined && data.skip !== false) {
      counts.skipped++;
      const reason = typeof data.skip === 'string' && data.skip !== '' ? data.skip : '(no reason given)';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    } else if (data.todo !== undefined && data.todo !== false) counts.todo++;
    else if (event.type === 'test:pass') counts.passed++;
    else counts.failed++;
  }
  yield `${JSON.stringify({ ...counts, reasons: Object.fromEntries(reasons) })}\n`;
}
