/**
 * The shapes of the authenticator settings routes (authenticators.ts), apart so that the console takes its types from
 * them: TypeBox only, nothing of the server.
 */
import { type Static, Type } from '@sinclair/typebox';

const Settings = Type.Record(Type.String(), Type.Unknown(), {
  description: 'the settings object of this authenticator: see `schema` in the answer',
});
export const LocalAuthenticatorSettings = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    settings: Settings,
    defaults: Type.Record(Type.String(), Type.Unknown(), { description: 'what applies when nothing was saved' }),
    schema: Type.Unknown({ description: 'JSON Schema of `settings`' }),
    updatedAt: Type.Union([Type.Integer({ description: 'epoch milliseconds' }), Type.Null()], {
      description: 'when they were last saved; null: never (the defaults apply)',
    }),
  },
  { title: 'LocalAuthenticatorSettings' },
);
export const SettingsBody = Type.Object(
  { settings: Type.Record(Type.String(), Type.Unknown(), { description: 'every field of the schema' }) },
  { additionalProperties: false },
);

/** GET and PUT /authenticators/{id} */
export type LocalAuthenticatorSettingsJson = Static<typeof LocalAuthenticatorSettings>;
