/**
 * A user's passkeys (WebAuthn credentials): list and revoke. Adding one needs the user's browser, so it happens only
 * inside a login (the passkey step). Revoking changes how the user signs in: it needs a two-factor sign-in
 * (identity/authenticator-changes.ts, the rule of the mobile number, backup codes and apps), is audited in the
 * write's transaction, and another user is told by SMS.
 */
import { Type } from '@sinclair/typebox';
import { publicView } from '../../../authenticators/passkey/credentials.js';
import { found } from '../../../identity/errors.js';
import { getUserById, type User } from '../../../identity/users.js';
import type { JsonApiServices as Services } from '../../json-api/services.js';
import { removeUserFactor } from '../remove-factor.js';
import { type ApiRoute, route } from '../route.js';
import { IdParams } from '../schemas.js';

const tag = 'Users';

// a credential id is the authenticator's, base64url: up to 1023 bytes (WebAuthn §5.1)
const CredentialParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  credId: Type.String({ minLength: 1, maxLength: 1400, pattern: '^[A-Za-z0-9_-]+$' }),
});

const Passkey = Type.Object(
  {
    id: Type.String({ description: 'the credential id, base64url' }),
    label: Type.String(),
    transports: Type.Array(Type.String()),
    deviceType: Type.String({ description: 'singleDevice (amr hwk) or multiDevice, a synced passkey (amr swk)' }),
    backedUp: Type.Boolean(),
    createdAt: Type.Integer({ description: 'epoch milliseconds' }),
    lastUsedAt: Type.Union([Type.Integer(), Type.Null()], { description: 'when it last passed a login' }),
  },
  { $id: 'Passkey' },
);
const PasskeyList = Type.Object({ items: Type.Array(Passkey) });

export function passkeyRoutes(services: Services): ApiRoute[] {
  const { db, passkeyCredentials: credentials } = services;
  const load = async (id: string): Promise<User> => found(await getUserById(db, id), 'user', id);

  return [
    route({
      method: 'GET',
      url: '/users/:id/passkeys',
      operationId: 'listPasskeys',
      summary: "The user's passkeys (never their public keys or counters)",
      tag,
      errors: [404],
      schema: { params: IdParams, response: PasskeyList },
      async handler({ params }) {
        const user = await load(params.id);
        return {
          items: (await credentials.list(user.id)).map((c) => {
            const { userId: _u, ...view } = publicView(c);
            return view;
          }),
        };
      },
    }),
    route({
      method: 'DELETE',
      url: '/users/:id/passkeys/:credId',
      operationId: 'deletePasskey',
      summary: 'Revoke a passkey',
      tag,
      status: 204,
      errors: [404],
      schema: { params: CredentialParams },
      async handler({ params, actor, audit, req }) {
        const user = await load(params.id);
        await removeUserFactor(services, { actor, audit, req }, user, {
          kind: 'passkey',
          credentialId: params.credId,
          remove: (userId, id, within) => credentials.remove(userId, id, within),
          noun: 'passkey',
        });
      },
    }),
  ];
}
