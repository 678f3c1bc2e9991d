/**
 * The shapes of the factors routes (factors.ts), apart so that the console takes its types from them: TypeBox only,
 * nothing of the server.
 */
import { type Static, Type } from '@sinclair/typebox';

const Millis = (description: string) => Type.Integer({ description: `${description}, epoch milliseconds` });
const Nullable = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.String>>(t: T) =>
  Type.Union([t, Type.Null()]);

export const UserFactors = Type.Object(
  {
    userId: Type.String(),
    username: Type.String(),
    mobile: Nullable(Type.String({ description: 'E.164; SMS codes go to it' })),
    smsOtp: Type.Object({
      disabled: Type.Boolean({
        description: 'the Disable SMSOTP claim (http://wso2.org/claims/identity/smsotp_disabled)',
      }),
    }),
    totp: Type.Array(
      Type.Object({
        id: Type.String(),
        label: Type.String(),
        digits: Type.Integer(),
        periodSeconds: Type.Integer(),
        createdAt: Millis('enrolled'),
        lastUsedAt: Nullable(Millis('a code of it last passed')),
      }),
    ),
    passkeys: Type.Array(
      Type.Object({
        id: Type.String({ description: 'the credential id, base64url' }),
        label: Type.String(),
        deviceType: Type.String(),
        backedUp: Type.Boolean(),
        createdAt: Millis('added'),
        lastUsedAt: Nullable(Millis('it last passed a login')),
      }),
    ),
    backupCodes: Type.Object({ remaining: Type.Integer({ description: 'unused backup codes' }) }),
    preferredOption: Type.Object({
      option: Nullable(Type.String({ description: 'the preferred MFA option claim, idp:authenticator' })),
      lastChosen: Nullable(Type.String({ description: 'the option the user last chose in a step offering several' })),
    }),
    locked: Type.Boolean(),
    lockedUntil: Nullable(Millis('locked until')),
  },
  { title: 'UserFactors' },
);

export const PreferredOptionBody = Type.Object(
  {
    option: Type.String({
      maxLength: 300,
      description: 'idp:authenticator (smsOTP:sms-otp, :totp, :passkey); an empty string removes the preference',
    }),
  },
  { additionalProperties: false },
);

/** GET /users/{id}/factors */
export type UserFactorsJson = Static<typeof UserFactors>;
