// Authenticators: the installation settings of the local authenticators (TOTP apps, passkeys), one form each, drawn
// from the schema the admin API serves with them, so the console repeats none of the server's rules.
import { useEffect, useState } from 'react';
import type { LocalAuthenticatorSettingsJson } from '../../../../src/web/admin-api/routes/authenticators-schemas.ts';
import { get, put } from '../../api/client.ts';
import type { JsonSchema } from '../../api/types.ts';
import { Section } from '../../ui/forms.tsx';
import { formatTime, useLoad, useSubmit } from '../../ui/hooks.ts';
import { LoadError, Loading, PageHeader } from '../../ui/page.tsx';
import { SchemaFields } from '../../ui/schema-form.tsx';
import { FormActions, SubmitForm } from '../../ui/submit-form.tsx';

/** The local authenticators that carry installation settings, in the order shown. */
const IDS = ['totp', 'passkey'] as const;

function SettingsForm({ id }: { id: string }) {
  const loaded = useLoad(() => get<LocalAuthenticatorSettingsJson>(`/authenticators/${id}`), [id]);
  const [form, setForm] = useState<Record<string, unknown>>({});
  const save = useSubmit();
  useEffect(() => setForm(loaded.data?.settings ?? {}), [loaded.data]);

  if (loaded.error) return <LoadError error={loaded.error} retry={loaded.reload} />;
  if (!loaded.data) return <Loading what="the settings" />;
  const a = loaded.data;
  const schema = a.schema as JsonSchema;
  const properties = schema.properties ?? {};
  const keys = Object.keys(properties);

  const submit = () =>
    save.run(async () => {
      const saved = await put<LocalAuthenticatorSettingsJson>(`/authenticators/${id}`, { settings: form });
      loaded.set(saved);
      return `Saved the ${a.displayName} settings.`;
    });

  return (
    <Section title={a.displayName} id={`authenticator-${id}`}>
      <p className="muted small">
        {a.updatedAt === null
          ? 'Not changed here yet: the configuration file and the built-in defaults apply.'
          : `Last saved ${formatTime(a.updatedAt)}.`}{' '}
        A change applies to the next step of every login.
      </p>
      <SubmitForm
        label={`${a.displayName} settings`}
        error={save.error}
        fields={keys.map((k) => `settings.${k}`)}
        onSubmit={submit}
      >
        <SchemaFields
          properties={properties}
          keys={keys}
          config={form}
          onChange={setForm}
          path="settings"
          error={save.error}
        />
        <FormActions submit="Save" busy={save.busy} status={save.status}>
          <button type="button" className="secondary" onClick={() => setForm({ ...a.defaults })}>
            Fill in the defaults
          </button>
        </FormActions>
      </SubmitForm>
    </Section>
  );
}

export function Authenticators() {
  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Identity Providers' }, { label: 'Authenticators' }]}
        title="Authenticators"
        lead="Settings of the local authenticators for this installation. An authenticator app keeps the digits, period and algorithm it was set up with."
      />
      {IDS.map((id) => (
        <SettingsForm key={id} id={id} />
      ))}
    </>
  );
}
