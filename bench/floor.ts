/**
 * The benchmark's floor: the least an OIDC password login can cost on this stack. The same oidc-provider 9.13.3 as
 * Stepgate, its built-in in-memory adapter, RS256, PKCE, one login page on node:http and the same argon2id
 * parameters; no database, no audit, no steps. Stepgate's CPU per login is reported against this server's, measured
 * in the same run, so the ratio says what Stepgate adds on top of the protocol library itself.
 * Prints one JSON line with what the load generator needs, then serves until SIGINT.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import Provider from 'oidc-provider';
import { createPasswordHasher } from '../src/identity/passwords.js';

const port = Number(process.argv[2]);
const users = Number(process.argv[3] ?? 32);
const password = 'benchmark password 1';
const redirect = 'http://127.0.0.1:1/callback';
const issuer = `http://127.0.0.1:${port}`;
const client = { client_id: 'floor', client_secret: randomBytes(24).toString('base64url') };

const hasher = createPasswordHasher({ memoryKiB: 19456, iterations: 2, parallelism: 1 });
const stored = await hasher.hash(password);
const accounts = Array.from({ length: users }, (_, i) => ({
  username: `user${i}`,
  mobile: `+9477100${String(i).padStart(4, '0')}`,
}));
const byName = new Map(accounts.map((a) => [a.username, a]));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const provider = new Provider(issuer, {
  clients: [
    {
      ...client,
      redirect_uris: [redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'floor', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email', 'phone', 'offline_access'],
  claims: { openid: ['sub'], phone: ['phone_number'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  issueRefreshToken: async (_ctx, c) => c.grantTypeAllowed('refresh_token'),
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client!.clientId,
      accountId: ctx.oidc.session!.accountId!,
    });
    grant.addOIDCScope([...(ctx.oidc.requestParamScopes ?? [])].join(' ') || 'openid');
    await grant.save();
    return grant;
  },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: byName.get(id)?.mobile ?? id, phone_number: byName.get(id)?.mobile }),
  }),
});
const callback = provider.callback();

function loginPage(uid: string, error = ''): string {
  return `<!doctype html><html><head><title>Sign in</title></head><body>${error}
<form method="post" action="/interaction/${uid}/login">
<input name="username" autocomplete="username"><input name="password" type="password"><button>Sign in</button>
</form></body></html>`;
}

async function body(req: IncomingMessage): Promise<URLSearchParams> {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

const server = createServer(async (req, res) => {
  const path = (req.url ?? '/').split('?')[0]!;
  const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec(path);
  if (!m) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (!m[2]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid));
      return;
    }
    const form = await body(req);
    const account = byName.get(form.get('username') ?? '');
    const ok = await hasher.verify(stored, form.get('password') ?? '');
    if (!account || !ok) {
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid, 'Wrong.'));
      return;
    }
    const to = await provider.interactionResult(req, res, { login: { accountId: account.username } });
    res.writeHead(303, { location: to }).end();
  } catch {
    res.writeHead(400).end('bad interaction');
  }
});
server.listen(port, '127.0.0.1', () => {
  console.log(
    JSON.stringify({
      url: issuer,
      pid: process.pid,
      password,
      redirect,
      accounts,
      passwordApp: { clientId: client.client_id, clientSecret: client.client_secret },
    }),
  );
});
process.on('SIGINT', () => server.close(() => process.exit(0)));
