/** Generates docs/configuration.md from the configuration schema (run: npx tsx scripts/config-docs.ts). */
import { writeFileSync } from 'node:fs';
import { Kind, type TSchema } from '@sinclair/typebox';
import { ConfigSchema } from '../src/config/schema.js';

function envName(path: string): string {
  return `STEPGATE_${path
    .split('.')
    .map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
    .join('__')}`;
}

function typeOf(s: TSchema): string {
  if (s.anyOf)
    return (s.anyOf as TSchema[]).map((x) => (x.const !== undefined ? `\`${x.const}\`` : typeOf(x))).join(' \\| ');
  if (s.type === 'integer') return `integer${s.minimum !== undefined ? ` ${s.minimum}–${s.maximum ?? '∞'}` : ''}`;
  return String(s.type ?? 'value');
}

function rows(schema: TSchema, prefix = ''): string[] {
  if (schema[Kind] === 'Object' && prefix !== '' && schema.properties) {
    return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([k, v]) => rows(v, `${prefix}.${k}`));
  }
  if (prefix === '')
    return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([k, v]) => rows(v, k));
  const aliases: Record<string, string> = {
    databaseUrl: 'DATABASE_URL',
    redisUrl: 'REDIS_URL',
    'demo.adminPassword': 'STEPGATE_ADMIN_PASSWORD',
  };
  const env = aliases[prefix] ? `\`${envName(prefix)}\`, \`${aliases[prefix]}\`` : `\`${envName(prefix)}\``;
  const def = schema.default !== undefined ? `\`${JSON.stringify(schema.default)}\`` : '—';
  return [
    `| \`${prefix}\` | ${env} | ${typeOf(schema)} | ${def} | ${String(schema.description ?? '').replace(/\|/g, '\\|')} |`,
  ];
}

export function configurationMarkdown(): string {
  return `# Configuration

<!-- generated from src/config/schema.ts by scripts/config-docs.ts; a test keeps it in step -->

Stepgate reads an optional YAML file (\`stepgate.yaml\` in the working folder, or the file given with
\`stepgate -c <file>\` or \`STEPGATE_CONFIG\`), then the environment. The environment wins. Every value is validated
once at start-up; a bad value stops the start with a message that names the key, the rule and the environment
variable, for example:

\`\`\`
Invalid configuration:
  - port: Expected integer to be less or equal to 65535 (env STEPGATE_PORT)
\`\`\`

Nested keys use a double underscore in the environment: \`passwordLockout.maxAttempts\` is
\`STEPGATE_PASSWORD_LOCKOUT__MAX_ATTEMPTS\`.

| key | environment | type | default | meaning |
|---|---|---|---|---|
${rows(ConfigSchema).join('\n')}

## Production mode

\`mode: production\` refuses to start when:

- \`publicUrl\` is plain HTTP and not localhost;
- \`masterKey\` is not given (it is never generated in production; make one with \`openssl rand -base64 32\`);
- the development SMS inbox is enabled;
- a demo secret (\`STEPGATE_ADMIN_PASSWORD\`) is set.

## Example

\`\`\`yaml
mode: production
publicUrl: https://id.example.com
host: 0.0.0.0
port: 9443
trustProxy: true            # behind a TLS-terminating proxy
databaseUrl: postgres://stepgate@db/stepgate
redisUrl: redis://cache:6379
passwordLockout:
  maxAttempts: 5
  windowMinutes: 15
  lockMinutes: 15
\`\`\`
`;
}

if (process.argv[1]?.endsWith('config-docs.ts')) {
  writeFileSync(new URL('../docs/configuration.md', import.meta.url), configurationMarkdown());
  console.log('wrote docs/configuration.md');
}
