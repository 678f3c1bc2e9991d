/**
 * The cut the architecture promises, read from the sources: the engine and the authenticators know no HTTP and no
 * protocol, and the composition root imports nothing from the web layer.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The modules a file imports (static and dynamic), as written. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
}

test('the engine and the authenticators import no web layer, no HTTP framework and no protocol', () => {
  const forbidden = [/\/web\//, /^fastify/, /^@fastify\//, /^oidc-provider$/, /\/oidc\//, /\/saml\//, /^node:http$/];
  const offending = [...sources('src/authn'), ...sources('src/authenticators')].flatMap((file) =>
    importsOf(file)
      .filter((spec) => forbidden.some((f) => f.test(spec)))
      .map((spec) => `${relative(root, join(root, file))} imports ${spec}`),
  );
  assert.deepEqual(offending, []);
});

test('the engine and the authenticators name no HTTP status, template path or OAuth error', () => {
  const patterns = [
    /\bstatus:\s*\d{3}\b/,
    /web\/pages\/views/,
    /\.eta\b/,
    /unmet_authentication_requirements/,
    /access_denied/,
  ];
  const offending = [...sources('src/authn'), ...sources('src/authenticators')].flatMap((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    return patterns.filter((p) => p.test(text)).map((p) => `${file} matches ${p}`);
  });
  assert.deepEqual(offending, []);
});

test('the composition root imports nothing from the web layer', () => {
  assert.deepEqual(
    importsOf('src/services.ts').filter((spec) => spec.startsWith('./web/')),
    [],
  );
});

test('the check sees an import when there is one (near miss)', () => {
  assert.ok(importsOf('src/web/app.ts').includes('../services.js'));
  assert.ok(importsOf('src/services.ts').includes('./authn/engine.js'));
});
