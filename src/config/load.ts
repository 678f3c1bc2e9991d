/** Reads stepgate.yaml and the environment, fills defaults and validates once; a bad value stops the start with a message naming the key. */
import { existsSync, readFileSync } from 'node:fs';
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { lazyModule } from '../lazy-module.js';
import { type Config, ConfigSchema } from './schema.js';

/** The YAML parser loads only when there is a configuration file to read. */
const yaml = lazyModule<typeof import('yaml')>('yaml');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

interface LoadOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  overrides?: Record<string, unknown>;
}

/** Environment names that map onto a config key without the STEPGATE_ prefix convention. */
const ENV_ALIASES: Record<string, string> = {
  DATABASE_URL: 'databaseUrl',
  REDIS_URL: 'redisUrl',
  STEPGATE_ADMIN_PASSWORD: 'demo.adminPassword',
  // the standard OpenTelemetry names: a collector's address set once for every service on the host
  OTEL_EXPORTER_OTLP_ENDPOINT: 'tracing.endpoint',
  OTEL_SERVICE_NAME: 'tracing.serviceName',
};

function camelToEnv(path: string): string {
  return `STEPGATE_${path
    .split('.')
    .map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
    .join('__')}`;
}

/** Every leaf path of the schema with its schema, so each can be read from an environment variable. */
function leafPaths(schema: TSchema, prefix = ''): [string, TSchema][] {
  if (schema[Kind] === 'Object') {
    const props = (schema as unknown as { properties: Record<string, TSchema> }).properties;
    return Object.entries(props).flatMap(([k, s]) => leafPaths(s, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, schema]];
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function readYaml(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  const doc = yaml().parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new ConfigError([`${file}${line ? ` line ${line}` : ''}: ${e.message.split('\n')[0]}`]);
  }
  const value = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError([`${file}: expected a mapping of options`]);
  return value as Record<string, unknown>;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.STEPGATE_CONFIG ?? (existsSync('stepgate.yaml') ? 'stepgate.yaml' : undefined);
  const raw: Record<string, unknown> = file ? readYaml(file) : {};

  for (const [path] of leafPaths(ConfigSchema)) {
    const name = camelToEnv(path);
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, value);
  }
  for (const [name, path] of Object.entries(ENV_ALIASES)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, value);
  }
  for (const [path, value] of Object.entries(options.overrides ?? {})) setPath(raw, path, value);

  const explicitPublicUrl = raw.publicUrl !== undefined;
  // Value.Default fills in place, so whether the operator set publicUrl is noted before it runs
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw)) as Record<string, unknown>;
  // Without an explicit public URL, follow the port: STEPGATE_PORT=9555 alone gives http://localhost:9555.
  if (!explicitPublicUrl && typeof withDefaults.port === 'number')
    withDefaults.publicUrl = `http://localhost:${withDefaults.port}`;
  const problems = [...Value.Errors(ConfigSchema, withDefaults)].map((e) => {
    const key = e.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    return `${key}: ${e.message}${key !== '(root)' ? ` (env ${camelToEnv(key)})` : ''}`;
  });
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const config = withDefaults as Config;
  config.publicUrl = config.publicUrl.replace(/\/+$/, '');
  checkStartup(config);
  return config;
}

/** Named start-up checks that need more than the schema. */
function checkStartup(config: Config): void {
  const problems: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(config.publicUrl);
  } catch {
    problems.push(`publicUrl: "${config.publicUrl}" is not a URL`);
  }
  if (config.mode === 'production') {
    const local = url && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (url && url.protocol !== 'https:' && !local)
      problems.push(
        'publicUrl: production mode needs an https:// public URL (plain HTTP is allowed for localhost only)',
      );
    if (!config.masterKey)
      problems.push('masterKey: production mode needs a master key (STEPGATE_MASTER_KEY); it is not generated');
    if (config.devSms.enabled)
      problems.push('devSms.enabled: the mock SMS provider is for development; production mode refuses it');
    if (config.demo.adminPassword) problems.push('demo.adminPassword: demo secrets are refused in production mode');
  }
  if (config.masterKey && Buffer.from(config.masterKey, 'base64').length !== 32)
    problems.push('masterKey: must be base64 of exactly 32 bytes (openssl rand -base64 32)');
  if (config.databaseUrl && !/^(postgres(ql)?:\/\/|sqlite:)/.test(config.databaseUrl))
    problems.push('databaseUrl: must start with postgres://, postgresql:// or sqlite:');
  if (problems.length > 0) throw new ConfigError(problems);
}
