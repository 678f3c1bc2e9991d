/** The one configuration schema: every option with its title, description and default. docs/configuration.md is generated from it. */
import { type SchemaOptions, type Static, Type as T } from '@sinclair/typebox';

/** pino's levels, for the server's log and the demo's */
function logLevelSchema(options: SchemaOptions & { default: string }) {
  return T.Union(
    (['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const).map((level) => T.Literal(level)),
    options,
  );
}

export const ConfigSchema = T.Object(
  {
    mode: T.Union([T.Literal('development'), T.Literal('production')], {
      default: 'development',
      description:
        'production refuses demo secrets, the dev SMS provider and plain-HTTP public URLs other than localhost.',
    }),
    publicUrl: T.String({
      default: 'http://localhost:9443',
      description:
        'The base URL users and applications reach Stepgate at; it is also the OIDC issuer. Only its host and port are answered (421 otherwise); in development, localhost, 127.0.0.1 and [::1] with the same port are aliases of each other. Default: http://localhost:<port>.',
    }),
    host: T.String({ default: '127.0.0.1', description: 'Address the HTTP server listens on.' }),
    port: T.Integer({ minimum: 0, maximum: 65535, default: 9443, description: 'Port the HTTP server listens on.' }),
    trustProxy: T.Boolean({
      default: false,
      description:
        'Trust X-Forwarded-* headers (set when a TLS-terminating proxy is in front); X-Forwarded-Host must then be the host of publicUrl.',
    }),
    dataDir: T.String({
      default: './data',
      description: 'Folder for the embedded SQLite database and the generated master key.',
    }),
    databaseUrl: T.Optional(
      T.String({
        description:
          'postgres://… for PostgreSQL (cluster mode) or sqlite:<path>; default sqlite under dataDir. Env: DATABASE_URL.',
      }),
    ),
    redisUrl: T.Optional(
      T.String({ description: 'redis://… for short-lived state and counters shared by all nodes. Env: REDIS_URL.' }),
    ),
    masterKey: T.Optional(
      T.String({
        minLength: 43,
        description:
          'Base64 of 32 random bytes; encrypts signing keys, client secrets and provider credentials at rest. Generated into dataDir in development; required in production.',
      }),
    ),
    logLevel: logLevelSchema({
      default: 'info',
      description: 'Log level. Requests are logged at debug, one line each.',
    }),
    configCacheSeconds: T.Number({
      minimum: 0,
      maximum: 60,
      default: 2,
      description:
        'Each node caches applications and identity providers (with their decrypted secrets) and checks for changes made on any node at most this often: a change in the console takes effect on every node within this many seconds (at once on the node that made it). 0 turns the cache off.',
    }),
    shutdownGraceSeconds: T.Integer({
      minimum: 0,
      maximum: 60,
      default: 10,
      description:
        'On SIGTERM the node reports not ready, stops accepting connections and gives requests in flight this long to finish before their connections are cut.',
    }),
    metrics: T.Object(
      {
        token: T.Optional(
          T.String({
            minLength: 16,
            description:
              'Bearer token a Prometheus scraper sends for GET /metrics on the main port. Env: STEPGATE_METRICS__TOKEN.',
          }),
        ),
        port: T.Optional(
          T.Integer({
            minimum: 0,
            maximum: 65535,
            description:
              'Serve /metrics (and /health/live, /health/ready) on this separate management port instead of the main port; the token, when set, is required there too.',
          }),
        ),
        host: T.String({ default: '127.0.0.1', description: 'Address the management port listens on.' }),
        pingIntervalSeconds: T.Integer({
          minimum: 1,
          maximum: 300,
          default: 10,
          description: 'How often the database and the state store are pinged for the latency metrics.',
        }),
      },
      {
        default: {},
        description:
          'Prometheus metrics (docs/operations.md). Off unless a token or a port is set; with neither, GET /metrics is 404.',
      },
    ),
    tracing: T.Object(
      {
        enabled: T.Boolean({
          default: false,
          description:
            'Export OpenTelemetry traces of requests and logins. Off: the OpenTelemetry SDK is not even loaded.',
        }),
        endpoint: T.String({
          default: 'http://localhost:4318',
          description:
            'Base URL of the OTLP/HTTP receiver (a collector); spans go to <endpoint>/v1/traces as OTLP JSON. Env: OTEL_EXPORTER_OTLP_ENDPOINT.',
        }),
        serviceName: T.String({
          default: 'stepgate',
          minLength: 1,
          maxLength: 128,
          description: 'The service.name of every span. Env: OTEL_SERVICE_NAME.',
        }),
        sampleRatio: T.Number({
          minimum: 0,
          maximum: 1,
          default: 1,
          description:
            'Share of new traces recorded (by trace id). A request with a traceparent header follows its sampled flag instead.',
        }),
        headers: T.Record(T.String(), T.String(), {
          default: {},
          description:
            'HTTP headers sent with each export (e.g. an API key of a hosted collector); OTEL_EXPORTER_OTLP_HEADERS adds to them.',
        }),
      },
      { default: {}, description: 'OpenTelemetry traces (docs/operations.md#traces). Off by default.' },
    ),
    loginTransactionTtlSeconds: T.Integer({
      minimum: 60,
      maximum: 3600,
      default: 900,
      description: 'How long a login may take from the first page to the last step.',
    }),
    passwordLockout: T.Object(
      {
        maxAttempts: T.Integer({
          minimum: 1,
          maximum: 100,
          default: 5,
          description: 'Failed passwords before the account locks.',
        }),
        windowMinutes: T.Integer({
          minimum: 1,
          maximum: 1440,
          default: 15,
          description: 'Window in which failures are counted.',
        }),
        lockMinutes: T.Integer({
          minimum: 1,
          maximum: 10080,
          default: 15,
          description: 'How long the account stays locked.',
        }),
      },
      { default: {}, description: 'Account locking after failed password attempts.' },
    ),
    loginRateLimit: T.Object(
      {
        postsPerMinute: T.Integer({
          minimum: 1,
          maximum: 100000,
          default: 300,
          description:
            'Login form submissions per client IP per minute (all accounts); shared through Redis in cluster mode.',
        }),
      },
      { default: {}, description: 'Throttling of login pages per client address, on top of the per-account locks.' },
    ),
    argon2: T.Object(
      {
        memoryKiB: T.Integer({ minimum: 8192, default: 19456, description: 'argon2id memory cost (OWASP: 19456).' }),
        iterations: T.Integer({ minimum: 1, default: 2, description: 'argon2id time cost (OWASP: 2).' }),
        parallelism: T.Integer({
          minimum: 1,
          maximum: 16,
          default: 1,
          description: 'argon2id parallelism (OWASP: 1).',
        }),
      },
      {
        default: {},
        description: 'Password hashing parameters; hashes with older parameters are upgraded at the next login.',
      },
    ),
    sms: T.Object(
      {
        allowPrivateDestinations: T.Optional(
          T.Boolean({
            description:
              'Let the SMS gateway send to loopback, private, link-local and other non-public addresses (also when a host name resolves to one). Unset: allowed in development mode (local mock providers), refused in production mode.',
          }),
        ),
        allowedPrivateDestinations: T.Array(T.String({ maxLength: 253 }), {
          default: [],
          description:
            'Host names, IP addresses or CIDR ranges (10.20.0.0/16, fd00::/8) the gateway may send to although they are not public, e.g. an SMS relay inside your network.',
        }),
        messageRetentionDays: T.Integer({
          minimum: 1,
          maximum: 3650,
          default: 30,
          description:
            'Days a sent SMS (its masked number, status and delivery receipts: Console › Messages) is kept before it is purged (docs/delivery-receipts.md).',
        }),
      },
      { default: {}, description: 'Where the SMS gateway may send (protection against server-side request forgery).' },
    ),
    totp: T.Object(
      {
        issuer: T.String({
          default: '',
          maxLength: 64,
          description: 'The issuer an authenticator app shows beside the username. Blank: the host of publicUrl.',
        }),
        digits: T.Integer({ minimum: 6, maximum: 8, default: 6, description: 'Digits of a code (RFC 6238: 6).' }),
        periodSeconds: T.Integer({ minimum: 15, maximum: 120, default: 30, description: 'Seconds a code lasts.' }),
        driftSteps: T.Integer({
          minimum: 0,
          maximum: 2,
          default: 1,
          description: 'Codes this many periods early or late are accepted too (clock drift of the phone).',
        }),
        maxWrongCodesPerLogin: T.Integer({
          minimum: 1,
          maximum: 20,
          default: 5,
          description: 'Wrong codes one login may try before it ends; counted on every node.',
        }),
        maxAttempts: T.Integer({
          minimum: 1,
          maximum: 100,
          default: 5,
          description: 'Wrong codes (with SMS codes, counted together) before the account locks.',
        }),
        lockMinutes: T.Integer({
          minimum: 1,
          maximum: 10080,
          default: 15,
          description: 'How long the account stays locked.',
        }),
        enrolAtLogin: T.Boolean({
          default: true,
          description:
            'A user who has no authenticator app, at a step whose options they have none of, may add one inside the login (QR code, confirmed by a code).',
        }),
      },
      { default: {}, description: 'The TOTP authenticator (authenticator apps, RFC 6238, SHA-1).' },
    ),
    account: T.Object(
      {
        enabled: T.Boolean({
          default: true,
          description:
            'Serve My Account at /account/: users change their own mobile number, SMS codes, authenticator apps, passkeys, backup codes and sessions.',
        }),
        reauthMinutes: T.Integer({
          minimum: 1,
          maximum: 60,
          default: 5,
          description:
            'A change to how a user signs in needs a sign-in (password and second factor) this recent; older, My Account asks to sign in again.',
        }),
        sessionMinutes: T.Integer({
          minimum: 5,
          maximum: 1440,
          default: 60,
          description: 'How long a My Account session lasts after its sign-in.',
        }),
      },
      { default: {}, description: 'My Account, the self-service pages (docs/my-account.md).' },
    ),
    devSms: T.Object(
      {
        enabled: T.Boolean({
          default: false,
          description: 'Serve the built-in mock SMS provider and its inbox at /dev/sms/.',
        }),
      },
      { default: {}, description: 'The development SMS inbox.' },
    ),
    demo: T.Object(
      {
        pickupPort: T.Integer({
          minimum: 0,
          maximum: 65535,
          default: 8080,
          description: 'Port of the Pickup Dispatch sample in the demo.',
        }),
        pickupSamlPort: T.Integer({
          minimum: 0,
          maximum: 65535,
          default: 8081,
          description: 'Port of the SAML 2.0 Pickup Dispatch sample in the demo. Env: STEPGATE_DEMO__PICKUP_SAML_PORT.',
        }),
        adminPassword: T.Optional(
          T.String({ minLength: 8, description: 'Password of the demo admin user. Env: STEPGATE_ADMIN_PASSWORD.' }),
        ),
        logLevel: logLevelSchema({
          title: 'Demo log level',
          default: 'warn',
          description:
            'Log level while the demo runs (it replaces logLevel there): the default warn keeps the terminal to the URLs, the one-time admin password and real problems. Env: STEPGATE_DEMO__LOG_LEVEL=debug shows every request.',
        }),
      },
      { default: {}, description: 'The one-command demo (`npm start`).' },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
