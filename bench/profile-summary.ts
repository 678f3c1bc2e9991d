/**
 * `node bench/profile-summary.ts <file.cpuprofile> [top]`: where a CPU profile's time went, by self time, grouped by
 * package (node_modules/<name>) or Stepgate source file, with the top functions; the table in docs/benchmarks.md.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

/** `kysely`, `oidc-provider`, `src/oidc/adapter.ts`, `node:internal/...`, `(garbage collector)`, ... */
function groupOf(url: string, fn: string): string {
  if (!url) return `(${fn || 'native'})`.replace(/^\(\((.*)\)\)$/, '($1)');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const src = /\/((?:src|bench)\/.*)$/.exec(url)?.[1];
  if (src) return src.replace(/\.js$/, '.ts').replace(/^dist\//, '');
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url;
}

const groups = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  const group = groupOf(url, functionName);
  groups.set(group, (groups.get(group) ?? 0) + us);
  const fn = `${group} ${functionName || '(anonymous)'}:${lineNumber + 1}`;
  functions.set(fn, (functions.get(fn) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1)} %`;
const top = Number(topArg ?? 25);
console.log(`total ${(total / 1000).toFixed(0)} ms of samples (main thread)\n`);
console.log('| self time | package or file |\n|---:|---|');
for (const [g, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`| ${pct(us)} | ${g} |`);
console.log('\n| self time | function |\n|---:|---|');
for (const [f, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`| ${pct(us)} | ${f} |`);
