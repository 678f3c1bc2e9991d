/**
 * A user's authenticator apps (TOTP): list, add (start → confirm with the app's first code) and remove. Adding and
 * removing change how the user signs in: they need a two-factor sign-in (identity/authenticator-changes.ts, the same
 * rule as the mobile number and backup codes), are audited in the write's transaction, and another user is told by SMS.
 */
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { normaliseCode } from '../../../authenticators/totp/code.js';
import { currentTotpConfig, ENROLMENT_TTL_MS } from '../../../authenticators/totp/config.js';
import type { TotpCredential as TotpCredentialRecord } from '../../../authenticators/totp/credentials.js';
import { confirmEnrolment, createEnrolments, prepareEnrolment } from '../../../authenticators/totp/enrolment.js';
import { found } from '../../../identity/errors.js';
import { getUserById, type User } from '../../../identity/users.js';
import { requireSecondFactor } from '../../json-api/auth.js';
import type { JsonApiServices as Services } from '../../json-api/services.js';
import { HttpProblem } from '../../problem.js';
import { announceFactorChange } from '../factor-notice.js';
import { removeUserFactor } from '../remove-factor.js';
import { type ApiRoute, route } from '../route.js';
import { IdParams } from '../schemas.js';

const tag = 'Users';
/** wrong first codes one enrolment may try */
const MAX_CONFIRM_TRIES = 5;

const Str = (max: number) => Type.String({ minLength: 1, maxLength: max });
const EnrolmentParams = Type.Object({ id: Str(64), enrolmentId: Str(64) });
const CredentialParams = Type.Object({ id: Str(64), credentialId: Str(64) });

const TotpCredential = Type.Object(
  {
    id: Type.String(),
    label: Type.String(),
    digits: Type.Integer(),
    periodSeconds: Type.Integer(),
    createdAt: Type.Integer({ description: 'epoch milliseconds' }),
    lastUsedAt: Type.Union([Type.Integer(), Type.Null()], { description: 'when a code of it last passed' }),
  },
  { $id: 'TotpCredential' },
);
const TotpCredentialList = Type.Object({ items: Type.Array(TotpCredential) });
const TotpEnrolmentStart = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'default "Authenticator app"' })),
  },
  { description: 'send {} for the default label' },
);
const TotpEnrolment = Type.Object({
  enrolmentId: Type.String(),
  otpauthUri: Type.String({ description: 'otpauth://totp/… with the secret: show it to the user only' }),
  qrSvg: Type.String({ description: 'the URI as a QR code, an SVG document' }),
  secret: Type.String({ description: 'the secret in base32 (groups of four), for typing into an app' }),
  issuer: Type.String(),
  account: Type.String(),
  expiresAt: Type.Integer({ description: 'epoch milliseconds; confirm before then' }),
});
const TotpConfirm = Type.Object({ code: Type.String({ minLength: 1, maxLength: 16 }) });

/** An app as the admin API shows it, here and in the user's factors (factors.ts): never its secret. */
export const totpJson = (c: TotpCredentialRecord) => ({
  id: c.id,
  label: c.label,
  digits: c.digits,
  periodSeconds: c.period,
  createdAt: c.createdAt,
  lastUsedAt: c.lastUsedAt,
});

export function totpRoutes(services: Services): ApiRoute[] {
  const { db, totpCredentials: credentials } = services;
  const enrolments = createEnrolments(services.state);
  // the installation's settings as they are at each request (console › Authenticators › TOTP)
  const settings = () => currentTotpConfig(db, services.config);

  const load = async (id: string): Promise<User> => found(await getUserById(db, id), 'user', id);

  return [
    route({
      method: 'GET',
      url: '/users/:id/totp',
      operationId: 'listTotpCredentials',
      summary: "The user's authenticator apps (never their secrets)",
      tag,
      errors: [404],
      schema: { params: IdParams, response: TotpCredentialList },
      async handler({ params }) {
        const user = await load(params.id);
        return { items: (await credentials.list(user.id)).map(totpJson) };
      },
    }),
    route({
      method: 'POST',
      url: '/users/:id/totp',
      operationId: 'startTotpEnrolment',
      summary:
        'Start adding an authenticator app: a new secret as a QR code and otpauth:// URI, shown in this answer only',
      tag,
      status: 201,
      errors: [404],
      schema: { params: IdParams, body: TotpEnrolmentStart, response: TotpEnrolment },
      async handler({ params, body, actor, audit }) {
        const user = await load(params.id);
        requireSecondFactor(actor, user, ['totp']);
        const now = Date.now();
        const label = body.label?.trim() || 'Authenticator app';
        const { pending, display } = await prepareEnrolment(
          credentials,
          await settings(),
          user,
          services.config.publicUrl,
          label,
          now,
        );
        const enrolmentId = `te_${randomBytes(16).toString('base64url')}`;
        await enrolments.save(enrolmentId, pending);
        await audit('admin.user.totp-enrolment-started', { targetUserId: user.id, targetUsername: user.username });
        return { enrolmentId, ...display, expiresAt: now + ENROLMENT_TTL_MS };
      },
    }),
    route({
      method: 'POST',
      url: '/users/:id/totp/:enrolmentId/confirm',
      operationId: 'confirmTotpEnrolment',
      summary: "Finish adding an authenticator app with the app's current code",
      tag,
      status: 201,
      errors: [404, 409],
      schema: { params: EnrolmentParams, body: TotpConfirm, response: TotpCredential },
      async handler({ params, body, actor, audit, req }) {
        const user = await load(params.id);
        requireSecondFactor(actor, user, ['totp']);
        const pending = await enrolments.get(params.enrolmentId);
        if (!pending || pending.userId !== user.id)
          throw new HttpProblem('not-found', 'No such enrolment (or it expired).');
        if ((await enrolments.tries(params.enrolmentId)) > MAX_CONFIRM_TRIES) {
          await enrolments.drop(params.enrolmentId);
          throw new HttpProblem('rate-limited', 'Too many wrong codes for this enrolment; start a new one.');
        }
        const code = normaliseCode(body.code);
        const config = await settings();
        const credential = await db.transaction().execute(async (trx) => {
          const confirmed = await confirmEnrolment(credentials, config, pending, code, Date.now(), trx);
          if (!confirmed.ok) return confirmed;
          await audit(
            'admin.user.add-totp',
            { targetUserId: user.id, targetUsername: user.username, credentialId: confirmed.credential.id },
            trx,
          );
          return confirmed;
        });
        if (!credential.ok) {
          if (credential.reason === 'too-many-credentials')
            throw new HttpProblem('conflict', 'The user has as many authenticator apps as allowed (5).');
          if (credential.reason === 'expired') throw new HttpProblem('not-found', 'No such enrolment (or it expired).');
          throw new HttpProblem('validation-failed', undefined, [
            { field: 'code', message: 'the code does not match this enrolment (check the app and its clock)' },
          ]);
        }
        await enrolments.drop(params.enrolmentId);
        await announceFactorChange(services, { actor, audit, req }, user, 'totp');
        return totpJson(credential.credential);
      },
    }),
    route({
      method: 'DELETE',
      url: '/users/:id/totp/:credentialId',
      operationId: 'deleteTotpCredential',
      summary: 'Remove an authenticator app',
      tag,
      status: 204,
      errors: [404],
      schema: { params: CredentialParams },
      async handler({ params, actor, audit, req }) {
        const user = await load(params.id);
        await removeUserFactor(services, { actor, audit, req }, user, {
          kind: 'totp',
          credentialId: params.credentialId,
          remove: (userId, id, within) => credentials.remove(userId, id, within),
          noun: 'authenticator app',
        });
      },
    }),
  ];
}
