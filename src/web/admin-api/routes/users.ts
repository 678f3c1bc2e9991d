/**
 * Users: profile claims, roles, enabling, unlock, password reset and backup codes (shown once). Every write and its
 * audit event commit in one transaction: an acknowledged change is stored and audited, an interrupted one is neither.
 */
import { Type } from '@sinclair/typebox';
import { type AuthenticatorKind, changedAuthenticators } from '../../../identity/authenticator-changes.js';
import { generateBackupCodes } from '../../../identity/backup-codes.js';
import { ClaimUri, isBackupCodeClaim } from '../../../identity/claim-uris.js';
import { listLocalClaims } from '../../../identity/claims.js';
import { found } from '../../../identity/errors.js';
import { unlockUser } from '../../../identity/lockout.js';
import { phoneLookupKey } from '../../../identity/phone.js';
import {
  claimsOf,
  deleteUser,
  getUserById,
  insertUser,
  isLocked,
  listUsers,
  prepareNewUser,
  preparePassword,
  setEnabled,
  setPasswordHash,
  setRoles,
  setUserClaims,
  type User,
} from '../../../identity/users.js';
import { announceAuthenticatorChange } from '../../authenticator-notice.js';
import { requireSecondFactor } from '../../json-api/auth.js';
import type { JsonApiServices as Services } from '../../json-api/services.js';
import { type ApiRoute, type HandlerContext, route } from '../route.js';
import {
  BackupCodes,
  IdParams,
  Page,
  PageQuery,
  PasswordBody,
  UserCreate,
  User as UserSchema,
  UserUpdate,
} from '../schemas.js';

const tag = 'Users';

/** Claim URIs named in an audit event: which values changed, never the values (backup codes above all). */
const changedClaims = (claims: Record<string, string> | undefined) => Object.keys(claims ?? {});

export function userRoutes(services: Services): ApiRoute[] {
  const { db, hasher, backupCodes } = services;

  async function toJson(user: User) {
    const now = Date.now();
    const locked = isLocked(user, now);
    return {
      id: user.id,
      username: user.username,
      enabled: user.enabled,
      locked,
      lockedUntil: locked ? user.lockedUntil : null,
      roles: user.roles,
      claims: claimsOf(user, await listLocalClaims(db), now),
      backupCodesRemaining: await backupCodes.remaining(user.id),
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
  }

  const load = async (id: string): Promise<User> => found(await getUserById(db, id), 'user', id);
  const claimsNow = async (user: User) => claimsOf(user, await listLocalClaims(db));

  /** After a committed change of someone else's authenticators: tell them by SMS (audited; never fails the write). */
  async function announce(
    ctx: Pick<HandlerContext<never>, 'actor' | 'audit' | 'req'>,
    user: User,
    changes: AuthenticatorKind[],
    mobileBefore: string | undefined,
  ) {
    const after = await getUserById(db, user.id);
    await announceAuthenticatorChange(services, {
      actor: ctx.actor,
      user,
      changes,
      mobileBefore,
      mobileAfter: after ? (await claimsNow(after))[ClaimUri.mobile] : undefined,
      audit: (event, data) => ctx.audit(event, data),
      log: ctx.req.log,
    });
  }

  return [
    route({
      method: 'GET',
      url: '/users',
      operationId: 'listUsers',
      summary: 'List users (search: username substring; mobile: exact mobile number)',
      tag,
      schema: {
        querystring: Type.Object({
          ...PageQuery,
          search: Type.Optional(Type.String({ maxLength: 255 })),
          mobile: Type.Optional(Type.String({ maxLength: 32 })),
        }),
        response: Page(UserSchema),
      },
      async handler({ query }) {
        const mobileClaim = (await listLocalClaims(db)).find((c) => c.uri === ClaimUri.mobile);
        const { total, users } = await listUsers(db, {
          offset: query.offset,
          limit: query.limit,
          ...(query.search ? { search: query.search } : {}),
          ...(query.mobile && mobileClaim
            ? { attribute: { name: mobileClaim.mappedAttribute, value: phoneLookupKey(query.mobile) } }
            : {}),
        });
        return { items: await Promise.all(users.map(toJson)), total, offset: query.offset, limit: query.limit };
      },
    }),
    route({
      method: 'POST',
      url: '/users',
      operationId: 'createUser',
      summary: 'Create a user',
      tag,
      status: 201,
      errors: [409],
      schema: { body: UserCreate, response: UserSchema },
      async handler({ body, audit, actor }) {
        // a new user's password and second factor are authenticators too: made with one factor, they would be a
        // two-factor account that the maker controls
        const authenticators = changedAuthenticators(
          { claims: body.claims, password: body.password !== undefined },
          undefined,
        );
        requireSecondFactor(actor, { id: '', username: body.username }, authenticators);
        const prepared = await prepareNewUser(hasher, body);
        const user = await db.transaction().execute(async (trx) => {
          const created = await insertUser(trx, prepared);
          await audit(
            'admin.user.create',
            {
              targetUserId: created.id,
              targetUsername: created.username,
              claims: changedClaims(body.claims),
              roles: created.roles,
              ...(authenticators.length > 0 ? { authenticators } : {}),
            },
            trx,
          );
          return created;
        });
        return toJson(user);
      },
    }),
    route({
      method: 'GET',
      url: '/users/:id',
      operationId: 'getUser',
      summary: 'Read a user with the claims of their profile (write-only claims left out)',
      tag,
      errors: [404],
      schema: { params: IdParams, response: UserSchema },
      handler: async ({ params }) => toJson(await load(params.id)),
    }),
    route({
      method: 'PUT',
      url: '/users/:id',
      operationId: 'updateUser',
      summary: 'Change claims (an empty string removes a value), roles or enabled',
      tag,
      errors: [404],
      schema: { params: IdParams, body: UserUpdate, response: UserSchema },
      async handler({ params, body, audit, actor, req }) {
        const user = await load(params.id);
        const before = await claimsNow(user);
        const authenticators = changedAuthenticators({ claims: body.claims }, before);
        requireSecondFactor(actor, user, authenticators);
        const claims = changedClaims(body.claims);
        await db.transaction().execute(async (trx) => {
          if (body.claims && claims.length > 0) await setUserClaims(trx, user.id, body.claims, { asAdmin: true });
          if (body.roles) await setRoles(trx, user.id, body.roles);
          if (body.enabled !== undefined) await setEnabled(trx, user.id, body.enabled);
          await audit(
            'admin.user.update',
            {
              targetUserId: user.id,
              targetUsername: user.username,
              claims,
              ...(claims.some(isBackupCodeClaim) ? { backupCodesReplaced: true } : {}),
              ...(body.roles ? { roles: body.roles } : {}),
              ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
              ...(authenticators.length > 0 ? { authenticators } : {}),
            },
            trx,
          );
        });
        await announce({ actor, audit, req }, user, authenticators, before[ClaimUri.mobile]);
        return toJson(await load(user.id));
      },
    }),
    route({
      method: 'DELETE',
      url: '/users/:id',
      operationId: 'deleteUser',
      summary: 'Delete a user',
      tag,
      status: 204,
      errors: [404],
      schema: { params: IdParams },
      async handler({ params, audit }) {
        const user = await load(params.id);
        await db.transaction().execute(async (trx) => {
          await deleteUser(trx, user.id);
          await audit('admin.user.delete', { targetUserId: user.id, targetUsername: user.username }, trx);
        });
      },
    }),
    route({
      method: 'POST',
      url: '/users/:id/unlock',
      operationId: 'unlockUser',
      summary: 'Unlock a user and reset their failure counters',
      tag,
      errors: [404],
      schema: { params: IdParams, response: UserSchema },
      async handler({ params, audit }) {
        const user = await load(params.id);
        await db.transaction().execute(async (trx) => {
          await unlockUser(trx, user.id);
          // the account's own event, as the CLI records it, beside the admin action below
          if (isLocked(user))
            await services.audit.record(
              { event: 'account.unlocked', userId: user.id, username: user.username, data: { by: 'admin-api' } },
              trx,
            );
          await audit(
            'admin.user.unlock',
            { targetUserId: user.id, targetUsername: user.username, wasLocked: isLocked(user) },
            trx,
          );
        });
        return toJson(await load(user.id));
      },
    }),
    route({
      method: 'POST',
      url: '/users/:id/password',
      operationId: 'setUserPassword',
      summary: "Set a user's password",
      tag,
      status: 204,
      errors: [404],
      schema: { params: IdParams, body: PasswordBody },
      async handler({ params, body, audit, actor, req }) {
        const user = await load(params.id);
        requireSecondFactor(actor, user, ['password']);
        const hash = await preparePassword(hasher, body.password);
        await db.transaction().execute(async (trx) => {
          await setPasswordHash(trx, user.id, hash);
          await audit('admin.user.set-password', { targetUserId: user.id, targetUsername: user.username }, trx);
        });
        await announce({ actor, audit, req }, user, ['password'], (await claimsNow(user))[ClaimUri.mobile]);
      },
    }),
    route({
      method: 'POST',
      url: '/users/:id/backup-codes',
      operationId: 'generateBackupCodes',
      summary: "Replace the user's backup codes with 10 new ones, shown in this answer only",
      tag,
      errors: [404],
      schema: { params: IdParams, response: BackupCodes },
      async handler({ params, audit, actor, req }) {
        const user = await load(params.id);
        requireSecondFactor(actor, user, ['backup-codes']);
        const codes = generateBackupCodes(10);
        await db.transaction().execute(async (trx) => {
          await backupCodes.replace(user.id, codes, Date.now(), trx);
          await audit(
            'admin.user.generate-backup-codes',
            { targetUserId: user.id, targetUsername: user.username, count: codes.length },
            trx,
          );
        });
        await announce({ actor, audit, req }, user, ['backup-codes'], (await claimsNow(user))[ClaimUri.mobile]);
        return { codes };
      },
    }),
  ];
}
