/**
 * The local authenticators' installation settings (identity/authenticator-settings.ts): read them with their schema
 * and defaults (the console renders its form from the schema), and replace them as a whole, checked field by field.
 * A change applies to every login's next step; it can weaken every user's sign-in (a wider drift window, passkeys
 * without user verification), so it needs a two-factor sign-in like a live identity provider, and is audited.
 */
import { Type } from '@sinclair/typebox';
import {
  createAuthenticatorSettings,
  isSettingsId,
  SETTINGS_SCHEMAS,
  type SettingsId,
} from '../../../identity/authenticator-settings.js';
import { requireTwoFactorSignIn } from '../../json-api/auth.js';
import type { JsonApiServices as Services } from '../../json-api/services.js';
import { HttpProblem } from '../../problem.js';
import { type ApiRoute, route } from '../route.js';
import { LocalAuthenticatorSettings, SettingsBody } from './authenticators-schemas.js';

const tag = 'Authenticators';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export function authenticatorRoutes(services: Services): ApiRoute[] {
  const store = createAuthenticatorSettings(services.db, services.config);

  /** The id when it names a local authenticator with settings; a 404 problem that says why otherwise. */
  function settingsIdOf(id: string): SettingsId {
    if (isSettingsId(id)) return id;
    const known = services.registry.get(id);
    throw new HttpProblem(
      'not-found',
      known
        ? `The authenticator "${id}" has no installation settings${known.descriptor.kind === 'federated' ? ': it is configured inside an identity provider' : ''}.`
        : `No authenticator "${id}".`,
    );
  }

  async function answer(id: SettingsId) {
    const current = await store.get(id);
    return {
      id,
      displayName: services.registry.get(id)?.descriptor.displayName ?? id,
      settings: current.settings,
      defaults: current.defaults,
      schema: SETTINGS_SCHEMAS[id],
      updatedAt: current.updatedAt,
    };
  }

  return [
    route({
      method: 'GET',
      url: '/authenticators/:id',
      operationId: 'getAuthenticatorSettings',
      summary: "A local authenticator's installation settings (totp, passkey), with their schema and defaults",
      tag,
      errors: [404],
      schema: { params: Params, response: LocalAuthenticatorSettings },
      handler: async ({ params }) => answer(settingsIdOf(params.id)),
    }),
    route({
      method: 'PUT',
      url: '/authenticators/:id',
      operationId: 'updateAuthenticatorSettings',
      summary:
        "Replace a local authenticator's installation settings (every field, checked); the next login step uses them",
      tag,
      errors: [404],
      schema: { params: Params, body: SettingsBody, response: LocalAuthenticatorSettings },
      async handler({ params, body, actor, audit }) {
        const id = settingsIdOf(params.id);
        requireTwoFactorSignIn(actor, `Changing the ${id} settings`);
        const before = (await store.get(id)).settings as Record<string, unknown>;
        await services.db.transaction().execute(async (trx) => {
          const saved = (await store.put(id, body.settings, Date.now(), trx)) as Record<string, unknown>;
          await audit(
            'admin.authenticator.update',
            {
              authenticator: id,
              changed: Object.keys(saved).filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(before[k])),
              settings: saved,
            },
            trx,
          );
        });
        store.flush();
        return answer(id);
      },
    }),
  ];
}
