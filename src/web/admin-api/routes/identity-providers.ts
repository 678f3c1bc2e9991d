/** Authenticator descriptors and identity providers (with their federated authenticator configurations, masked). */
import { Type } from '@sinclair/typebox';
import { holdConsoleToSmsOtp } from '../../../identity/console-app.js';
import { ConflictError, found, ValidationError } from '../../../identity/errors.js';
import type { IdentityProvider, IdentityProviderInput } from '../../../identity/identity-providers.js';
import {
  countSegments,
  isProblem,
  maskedPaths,
  maskPhone,
  maskSecretsByName,
  restoreMasked,
  type SmsGateway,
  validateGatewayConfig,
} from '../../../sms/index.js';
import { gatewayConfigOf } from '../../../sms-test/gateway-config.js';
import { phoneNumber, sendTestSms } from '../../../sms-test/send-test-sms.js';
import type { Db } from '../../../store/db.js';
import { type Actor, requireTwoFactorSignIn } from '../../json-api/auth.js';
import type { JsonApiServices as Services } from '../../json-api/services.js';
import { type ApiRoute, paginate, route, searchPage } from '../route.js';
import {
  AuthenticatorDescriptor,
  IdentityProviderCreate,
  IdentityProvider as IdentityProviderSchema,
  IdentityProviderUpdate,
  IdParams,
  Page,
  PageQuery,
  SmsPreview,
  SmsPreviewBody,
  TestSmsBody,
  TestSmsResult,
} from '../schemas.js';

export function identityProviderRoutes(services: Services, gateway: SmsGateway): ApiRoute[] {
  const { identityProviders: idps, registry, applications } = services;

  /** The first SMS OTP provider makes the password-only console ask for the code too (see identity/console-app.ts). */
  async function consoleAsksForSms(
    audit: (event: string, data: Record<string, unknown>, within: Db) => Promise<void>,
  ): Promise<void> {
    await holdConsoleToSmsOtp(applications, idps, (trx, idp) =>
      audit('admin.console.sms-otp-step-added', { identityProvider: idp }, trx),
    );
  }

  /** The admin's view: the authenticator's own masking, or masking by field name when it has none. */
  function shown(idp: IdentityProvider): IdentityProvider {
    const masked = idps.masked(idp);
    return {
      ...masked,
      authenticators: masked.authenticators.map((a) =>
        registry.get(a.type)?.descriptor.maskConfig
          ? a
          : { ...a, config: maskSecretsByName(a.config) as Record<string, unknown> },
      ),
    };
  }

  const load = async (id: string) => found(await idps.get(id), 'identity provider', id);

  /**
   * Who can rewrite a gateway can send everyone's one-time passwords elsewhere: once any identity provider has a
   * switched-on authenticator, adding, changing or deleting one needs a sign-in that passed two factors (or an
   * automation client). Until then no console sign-in can pass two factors, so the first one is set up with one.
   */
  async function holdToTwoFactors(actor: Actor, what: string): Promise<void> {
    const live = (await idps.list()).some((i) => i.enabled && i.authenticators.some((a) => a.enabled));
    if (live) requireTwoFactorSignIn(actor, what);
  }

  /** Applications whose sequence names this identity provider. */
  async function usedBy(name: string): Promise<string[]> {
    return (await applications.list())
      .filter((a) => a.steps.some((s) => s.options.some((o) => o.idp === name)))
      .map((a) => `application "${a.name}"`);
  }

  /**
   * An authenticator with its own merge keeps masked secrets itself (only while the destination is unchanged);
   * for the others a mask stands for the stored value at its path while no address-like value changed, and a mask
   * left over is refused, naming its field, instead of being stored as if it were the secret.
   */
  function withStoredSecrets(input: IdentityProviderInput['authenticators'], stored: IdentityProvider | undefined) {
    const left: { field: string; message: string }[] = [];
    const out = input?.map((entry, i) => {
      const enabled = entry.enabled !== false;
      if (registry.get(entry.type)?.descriptor.mergeConfig) return { ...entry, enabled };
      const previous = stored?.authenticators.find((s) => s.type === entry.type)?.config;
      const config = restoreMasked(entry.config ?? {}, previous) as Record<string, unknown>;
      for (const path of maskedPaths(config)) {
        left.push({
          field: `authenticators[${i}].config.${path}`,
          message:
            'is masked and no stored secret can be kept for it (nothing stored, or an address changed); enter it again',
        });
      }
      return { ...entry, enabled, config };
    });
    if (left.length > 0) throw new ValidationError(left);
    return out;
  }

  /** The saved identity provider as answered to a save, with the mistakes that did not block it. */
  function saved(idp: IdentityProvider) {
    return { ...shown(idp), warnings: idps.warnings(idp) };
  }

  return [
    route({
      method: 'GET',
      url: '/authenticators',
      operationId: 'listAuthenticators',
      summary: 'Authenticators that steps can use, with the configuration schema of the federated ones',
      tag: 'Authenticators',
      schema: { querystring: Type.Object(PageQuery), response: Page(AuthenticatorDescriptor) },
      async handler({ query }) {
        const all = registry.all().map(({ descriptor: d }) => ({
          id: d.id,
          displayName: d.displayName,
          kind: d.kind,
          amr: d.amr,
          ...(d.configSchema ? { configSchema: d.configSchema } : {}),
          ...(d.defaultConfig
            ? {
                defaultConfig: d.maskConfig
                  ? d.maskConfig(d.defaultConfig)
                  : (maskSecretsByName(d.defaultConfig) as Record<string, unknown>),
              }
            : {}),
        }));
        return paginate(all, query);
      },
    }),
    route({
      method: 'GET',
      url: '/identity-providers',
      operationId: 'listIdentityProviders',
      summary: 'List identity providers (secrets masked)',
      tag: 'Identity providers',
      schema: {
        querystring: Type.Object({ ...PageQuery, search: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: Page(IdentityProviderSchema),
      },
      async handler({ query }) {
        return searchPage((await idps.list()).map(shown), [(i) => i.name, (i) => i.displayName], query);
      },
    }),
    route({
      method: 'POST',
      url: '/identity-providers',
      operationId: 'createIdentityProvider',
      summary: 'Create an identity provider',
      tag: 'Identity providers',
      status: 201,
      errors: [409],
      schema: { body: IdentityProviderCreate, response: IdentityProviderSchema },
      async handler({ body, actor, audit }) {
        await holdToTwoFactors(actor, 'Adding an identity provider');
        const input: IdentityProviderInput = {
          ...body,
          ...(body.authenticators
            ? {
                authenticators: withStoredSecrets(
                  body.authenticators as IdentityProviderInput['authenticators'],
                  undefined,
                ),
              }
            : {}),
        } as IdentityProviderInput;
        // the audit event commits with the insert, or neither does (docs/architecture.md, "Admin writes")
        const idp = await idps.create(input, Date.now(), (trx, created) =>
          audit('admin.identity-provider.create', { identityProviderId: created.id, name: input.name }, trx),
        );
        await consoleAsksForSms(audit);
        return saved(idp);
      },
    }),
    route({
      method: 'GET',
      url: '/identity-providers/:id',
      operationId: 'getIdentityProvider',
      summary: 'Read an identity provider (secrets masked)',
      tag: 'Identity providers',
      errors: [404],
      schema: { params: IdParams, response: IdentityProviderSchema },
      handler: async ({ params }) => shown(await load(params.id)),
    }),
    route({
      method: 'PUT',
      url: '/identity-providers/:id',
      operationId: 'updateIdentityProvider',
      summary: "Change an identity provider; a secret sent back as '********' keeps its stored value",
      tag: 'Identity providers',
      errors: [404, 409],
      schema: { params: IdParams, body: IdentityProviderUpdate, response: IdentityProviderSchema },
      async handler({ params, body, actor, audit }) {
        const current = await load(params.id);
        await holdToTwoFactors(actor, `Changing the identity provider ${current.name}`);
        // a sequence names its provider: a rename would leave it naming one that does not exist
        if (body.name !== undefined && body.name !== current.name) {
          const users = await usedBy(current.name);
          if (users.length > 0)
            throw new ConflictError(
              `identity provider ${current.name} is used by ${users.join(', ')}: it cannot be renamed`,
            );
        }
        const input = {
          ...body,
          ...(body.authenticators
            ? {
                authenticators: withStoredSecrets(
                  body.authenticators as IdentityProviderInput['authenticators'],
                  current,
                ),
              }
            : {}),
        } as Partial<IdentityProviderInput>;
        const idp = await idps.update(current.id, input, Date.now(), (trx) =>
          audit(
            'admin.identity-provider.update',
            { identityProviderId: current.id, name: input.name ?? current.name, fields: Object.keys(body) },
            trx,
          ),
        );
        await consoleAsksForSms(audit);
        return saved(idp);
      },
    }),
    route({
      method: 'DELETE',
      url: '/identity-providers/:id',
      operationId: 'deleteIdentityProvider',
      summary: 'Delete an identity provider that no application uses',
      tag: 'Identity providers',
      status: 204,
      errors: [404, 409],
      schema: { params: IdParams },
      async handler({ params, actor, audit }) {
        const idp = await load(params.id);
        await holdToTwoFactors(actor, `Deleting the identity provider ${idp.name}`);
        await idps.delete(idp.id, usedBy, (trx) =>
          audit('admin.identity-provider.delete', { identityProviderId: idp.id, name: idp.name }, trx),
        );
      },
    }),
    route({
      method: 'POST',
      url: '/identity-providers/:id/test-sms',
      operationId: 'sendTestSms',
      summary:
        "Send a test SMS through one gateway of the identity provider's saved SMS OTP configuration (no failover; the breaker and the spend cap are left as they are)",
      tag: 'Identity providers',
      errors: [404, 409],
      // each call may cost money at the provider
      rateLimit: { max: 10, timeWindow: 60_000 },
      schema: { params: IdParams, body: TestSmsBody, response: TestSmsResult },
      async handler({ params, body, audit }) {
        const idp = await load(params.id);
        const result = await sendTestSms(gateway, idp, body);
        await audit('admin.identity-provider.test-sms', {
          identityProviderId: idp.id,
          name: idp.name,
          to: maskPhone(phoneNumber(body.to, 'to')),
          gateway: result.gateway,
          ok: result.ok,
          ...(result.outcome.code ? { code: result.outcome.code } : {}),
        });
        return result;
      },
    }),
    route({
      method: 'POST',
      url: '/sms/preview',
      operationId: 'previewSms',
      summary:
        'Render an unsaved gateway configuration for one message (masked) and count its SMS segments; sends nothing',
      tag: 'Identity providers',
      schema: { body: SmsPreviewBody, response: SmsPreview },
      async handler({ body }) {
        const found = gatewayConfigOf(body.config, 'config');
        if (!found.ok) throw new ValidationError(found.problems);
        const segments = countSegments(body.text);
        const problems = validateGatewayConfig(found.gateway);
        const rendered = gateway.renderMasked(found.gateway, {
          to: phoneNumber(body.to, 'to'),
          text: body.text,
          otp: '123456',
        });
        if (isProblem(rendered)) return { request: null, problems: [...problems, rendered], segments };
        return { request: rendered, problems, segments };
      },
    }),
  ];
}
