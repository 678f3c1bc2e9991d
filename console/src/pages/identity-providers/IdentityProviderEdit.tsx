// Identity Providers › Add / Edit: name, description, Enabled, and Federated Authenticators › SMS OTP Configuration.
import { useEffect, useMemo, useState } from 'react';
import { get, itemsOf, post, put } from '../../api/client.ts';
import type {
  AuthenticatorInfo,
  FederatedAuthenticatorConfig,
  FieldProblem,
  IdentityProvider,
} from '../../api/types.ts';
import { navigate, useLocation } from '../../router/router.tsx';
import { GatewayStatusPanel } from '../../sms/GatewayStatusPanel.tsx';
import { CheckboxField, Section, TextArea, TextField } from '../../ui/forms.tsx';
import { useLoad, useSubmit } from '../../ui/hooks.ts';
import { LoadError, Loading, PageHeader } from '../../ui/page.tsx';
import { deleteThen, throwIfProblems } from '../../ui/save-form.ts';
import { defaultsOf, SchemaField } from '../../ui/schema-form.tsx';
import { FormActions, SubmitForm } from '../../ui/submit-form.tsx';
import { SmsOtpConfiguration, sampleMessage } from './SmsOtpConfiguration.tsx';
import { TestSms } from './TestSms.tsx';

interface Entry {
  enabled: boolean;
  config: Record<string, unknown>;
  /** configured on the server already (then it is always sent back) */
  stored: boolean;
}

interface Form {
  name: string;
  displayName: string;
  description: string;
  enabled: boolean;
  entries: Record<string, Entry>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Stored values over the schema's defaults, one level into nested option groups. */
function withDefaults(defaults: unknown, stored: Record<string, unknown>): Record<string, unknown> {
  const base = isObject(defaults) ? defaults : {};
  const out: Record<string, unknown> = { ...base, ...stored };
  for (const [k, v] of Object.entries(base)) if (isObject(v) && isObject(stored[k])) out[k] = { ...v, ...stored[k] };
  return out;
}

function initialForm(federated: AuthenticatorInfo[], idp: IdentityProvider | undefined, name: string): Form {
  const entries: Record<string, Entry> = {};
  for (const a of federated) {
    const stored = idp?.authenticators.find((c) => c.type === a.id);
    const defaults = a.defaultConfig ?? (a.configSchema ? defaultsOf(a.configSchema) : {});
    entries[a.id] = {
      enabled: stored?.enabled ?? false,
      config: withDefaults(defaults, stored?.config ?? {}),
      stored: stored !== undefined,
    };
  }
  return {
    name: idp?.name ?? name,
    displayName: idp?.displayName ?? '',
    description: idp?.description ?? '',
    enabled: idp?.enabled ?? true,
    entries,
  };
}

/** What is sent: configured entries and newly enabled ones, in a fixed order so error paths can be matched. */
function sentEntries(federated: AuthenticatorInfo[], form: Form): FederatedAuthenticatorConfig[] {
  return federated
    .filter((a) => form.entries[a.id]?.stored || form.entries[a.id]?.enabled)
    .map((a) => ({ type: a.id, enabled: form.entries[a.id]!.enabled, config: form.entries[a.id]!.config }));
}

export function IdentityProviderEdit({ id }: { id?: string }) {
  const editing = id !== undefined;
  const { search } = useLocation();
  const idp = useLoad(
    async () => (id ? get<IdentityProvider>(`/identity-providers/${encodeURIComponent(id)}`) : undefined),
    [id],
  );
  const authenticators = useLoad(
    async () => itemsOf(await get<{ items: AuthenticatorInfo[] }>('/authenticators?limit=200')),
    [],
  );
  const federated = useMemo(
    () => (authenticators.data ?? []).filter((a) => a.kind === 'federated'),
    [authenticators.data],
  );
  const [form, setForm] = useState<Form>();
  const [saved, setSaved] = useState<string>();
  // what the server noticed in a saved configuration without refusing it (a placeholder without its $)
  const [warnings, setWarnings] = useState<FieldProblem[]>([]);
  const submit = useSubmit();

  useEffect(() => {
    if (!authenticators.data || (editing && !idp.data)) return;
    const f = initialForm(federated, idp.data, search.get('name') ?? '');
    setForm(f);
    setSaved(JSON.stringify(f));
  }, [authenticators.data, idp.data, federated, editing, search]);

  const loadError = idp.error ?? authenticators.error;
  if (loadError)
    return (
      <LoadError
        error={loadError}
        retry={() => {
          for (const l of [idp, authenticators]) l.reload();
        }}
      />
    );
  if (!form) return <Loading what="the identity provider" />;

  const dirty = saved !== JSON.stringify(form);
  const setEntry = (type: string, patch: Partial<Entry>) =>
    setForm((f) => (f ? { ...f, entries: { ...f.entries, [type]: { ...f.entries[type]!, ...patch } } } : f));
  const order = sentEntries(federated, form).map((e) => e.type);
  const pathOf = (type: string) => {
    const i = order.indexOf(type);
    return `authenticators[${i === -1 ? order.length : i}].config`;
  };

  const save = () =>
    submit.run(async () => {
      const problems: FieldProblem[] = [];
      if (!/^[\w.-]{1,64}$/.test(form.name))
        problems.push({ field: 'name', message: 'Enter 1–64 letters, digits or . _ - (the guide uses smsOTP).' });
      throwIfProblems(problems);
      const body = {
        name: form.name,
        displayName: form.displayName || form.name,
        description: form.description,
        enabled: form.enabled,
        authenticators: sentEntries(federated, form),
      };
      setWarnings([]);
      type Saved = IdentityProvider & { warnings?: FieldProblem[] };
      const out = editing
        ? await put<Saved>(`/identity-providers/${encodeURIComponent(id)}`, body)
        : await post<Saved>('/identity-providers', body);
      setWarnings(out.warnings ?? []);
      const next = initialForm(federated, out, out.name);
      setForm(next);
      setSaved(JSON.stringify(next));
      if (!editing) navigate(`/identity-providers/${encodeURIComponent(out.id)}`, { replace: true });
      return `Saved ${out.name}.`;
    });

  const remove = () =>
    submit.run(
      deleteThen(
        id && `/identity-providers/${encodeURIComponent(id)}`,
        `Delete the identity provider ${form.name}?`,
        () => navigate('/identity-providers'),
      ),
    );
  /** name, value, onChange and error of a basic information field */
  const basic = <K extends 'name' | 'displayName' | 'description'>(k: K) => ({
    name: k,
    value: form[k],
    onChange: (v: string) => setForm({ ...form, [k]: v }),
    error: submit.error,
  });

  const known = [
    'name',
    'displayName',
    'description',
    'enabled',
    ...federated.map((a) => pathOf(a.id).replace(/\.config$/, '')),
  ];

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Identity Providers', to: '/identity-providers' },
          { label: 'List', to: '/identity-providers' },
          { label: editing ? 'Edit' : 'Add' },
        ]}
        title={editing ? `Edit ${idp.data?.name}` : 'Add Identity Provider'}
      />
      <SubmitForm className="form wide" error={submit.error} fields={known} onSubmit={save}>
        <Section title="Basic Information">
          <TextField
            label="Identity Provider Name"
            {...basic('name')}
            required
            mono
            help="The name applications' authentication steps refer to, e.g. smsOTP."
          />
          <TextField label="Display Name" {...basic('displayName')} />
          <TextArea label="Description" {...basic('description')} rows={2} />
          <CheckboxField
            label="Identity provider enabled"
            name="enabled"
            checked={form.enabled}
            onChange={(enabled) => setForm({ ...form, enabled })}
            error={submit.error}
          />
        </Section>

        <Section title="Federated Authenticators">
          {federated.length === 0 && <p className="muted">No federated authenticator is installed.</p>}
          {federated.map((a) => {
            const entry = form.entries[a.id]!;
            const path = pathOf(a.id);
            return (
              <details key={a.id} className="subsection authenticator" open>
                <summary>
                  <h3>{a.displayName} Configuration</h3>
                  {entry.enabled ? <span className="badge good">Enabled</span> : <span className="badge">Off</span>}
                </summary>
                {a.id === 'sms-otp' && a.configSchema ? (
                  <SmsOtpConfiguration
                    enabled={entry.enabled}
                    onEnabled={(enabled) => setEntry(a.id, { enabled })}
                    config={entry.config}
                    onConfig={(config) => setEntry(a.id, { config })}
                    schema={a.configSchema}
                    path={path}
                    error={submit.error}
                    {...(id ? { idpId: id } : {})}
                    testPanel={
                      <>
                        <TestSms
                          idpId={id}
                          config={entry.config}
                          text={sampleMessage(entry.config).text}
                          dirty={dirty}
                        />
                        {id && <GatewayStatusPanel idpId={id} />}
                      </>
                    }
                  />
                ) : (
                  <div className="authenticator-config">
                    <CheckboxField
                      label="Enable"
                      checked={entry.enabled}
                      onChange={(enabled) => setEntry(a.id, { enabled })}
                    />
                    {a.configSchema && (
                      <SchemaField
                        name={a.id}
                        schema={{ ...a.configSchema, title: 'Settings' }}
                        value={entry.config}
                        onChange={(config) => setEntry(a.id, { config: config as Record<string, unknown> })}
                        path={path}
                        error={submit.error}
                      />
                    )}
                  </div>
                )}
              </details>
            );
          })}
        </Section>

        {warnings.length > 0 && (
          <div className="notice warn save-warnings" role="status">
            <p>Saved, but check {warnings.length === 1 ? 'this' : 'these'}:</p>
            <ul>
              {warnings.map((w) => (
                <li key={`${w.field}:${w.message}`}>
                  <span className="mono">{w.field.replace(/^authenticators\[\d+\]\.config\./, '')}</span>: {w.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        <FormActions
          sticky
          submit={editing ? 'Update' : 'Register'}
          busy={submit.busy}
          status={submit.status}
          onDelete={editing ? remove : undefined}
        >
          {dirty && !submit.status && <span className="muted small">Unsaved changes</span>}
        </FormActions>
      </SubmitForm>
    </>
  );
}
