// Service Providers › Add / Edit: Inbound Authentication Configuration (OAuth/OpenID Connect, SAML2 Web SSO, or
// both), Claim Configuration, Local & Outbound Authentication Configuration (one sequence whatever the protocol).
import { useEffect, useState } from 'react';
import { del, get, itemsOf, post, put } from '../../api/client.ts';
import type {
  Application,
  AuthenticationStep,
  AuthenticatorInfo,
  ClientType,
  FieldProblem,
  GrantType,
  IdentityProvider,
  LocalClaim,
} from '../../api/types.ts';
import { navigate } from '../../router/router.tsx';
import {
  CheckboxField,
  CheckboxGroup,
  FormAlert,
  linesOf,
  Section,
  SelectField,
  ShownOnce,
  SubSection,
  TextArea,
  TextField,
} from '../../ui/forms.tsx';
import { useLoad, useSubmit } from '../../ui/hooks.ts';
import { LoadError, Loading, PageHeader } from '../../ui/page.tsx';
import { problemsFor } from '../../ui/problems.ts';
import { deleteThen, useSaveForm } from '../../ui/save-form.ts';
import { FormActions, SubmitForm } from '../../ui/submit-form.tsx';
import { AuthenticationSequence } from './AuthenticationSequence.tsx';
import { EMPTY_SAML, SamlConfiguration, type SamlForm, samlBody, samlToForm } from './SamlConfiguration.tsx';
import { sequenceSummary } from './sequence.ts';

interface Form {
  /** inbound OAuth/OpenID Connect: off for a SAML-only application (no grant type) */
  oidc: boolean;
  /** inbound SAML2 Web SSO */
  samlEnabled: boolean;
  saml: SamlForm;
  name: string;
  description: string;
  clientId: string;
  clientType: ClientType;
  redirectUris: string;
  postLogoutRedirectUris: string;
  grantTypes: GrantType[];
  extraScopes: string;
  subjectClaimUri: string;
  requestedClaims: string[];
  steps: AuthenticationStep[];
}

const EMPTY: Form = {
  oidc: true,
  samlEnabled: false,
  saml: EMPTY_SAML,
  name: '',
  description: '',
  clientId: '',
  clientType: 'confidential',
  redirectUris: '',
  postLogoutRedirectUris: '',
  grantTypes: ['authorization_code', 'refresh_token'],
  extraScopes: '',
  subjectClaimUri: 'http://wso2.org/claims/username',
  requestedClaims: [],
  steps: [{ options: [{ authenticator: 'password' }] }],
};

const GRANTS: { value: GrantType; label: string }[] = [
  { value: 'authorization_code', label: 'Authorization code (with PKCE)' },
  { value: 'refresh_token', label: 'Refresh token' },
  { value: 'client_credentials', label: 'Client credentials' },
];

const FIELDS = [
  'oidc',
  'saml',
  'name',
  'description',
  'clientId',
  'clientType',
  'redirectUris',
  'postLogoutRedirectUris',
  'grantTypes',
  'extraScopes',
  'subjectClaimUri',
  'requestedClaims',
  'steps',
];

function toForm(a: Application): Form {
  return {
    oidc: a.grantTypes.length > 0,
    samlEnabled: a.saml !== undefined,
    saml: samlToForm(a.saml),
    name: a.name,
    description: a.description,
    clientId: a.clientId,
    clientType: a.clientType,
    redirectUris: a.redirectUris.join('\n'),
    postLogoutRedirectUris: a.postLogoutRedirectUris.join('\n'),
    grantTypes: a.grantTypes,
    extraScopes: a.extraScopes.join(' '),
    subjectClaimUri: a.subjectClaimUri,
    requestedClaims: a.requestedClaims,
    steps: a.steps,
  };
}

function isUri(value: string): boolean {
  try {
    const u = new URL(value);
    return !u.hash;
  } catch {
    return false;
  }
}

function check(f: Form): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!f.name.trim()) out.push({ field: 'name', message: 'Enter a name.' });
  if (!f.oidc && !f.samlEnabled)
    out.push({ field: 'oidc', message: 'Configure OAuth/OpenID Connect, SAML2 Web SSO, or both.' });
  if (f.oidc) out.push(...checkOidc(f));
  if (f.steps.length === 0)
    out.push({ field: 'steps', message: 'The authentication sequence needs at least one step.' });
  f.steps.forEach((s, i) => {
    if (s.options.length === 0)
      out.push({ field: `steps[${i}]`, message: `Step ${i + 1} has no authenticator: add one or remove the step.` });
  });
  return out;
}

function checkOidc(f: Form): FieldProblem[] {
  const out: FieldProblem[] = [];
  linesOf(f.redirectUris).forEach((u, i) => {
    if (!isUri(u))
      out.push({ field: `redirectUris[${i}]`, message: `"${u}" is not an absolute URI without a fragment.` });
  });
  linesOf(f.postLogoutRedirectUris).forEach((u, i) => {
    if (!isUri(u))
      out.push({ field: `postLogoutRedirectUris[${i}]`, message: `"${u}" is not an absolute URI without a fragment.` });
  });
  if (f.grantTypes.includes('authorization_code') && linesOf(f.redirectUris).length === 0)
    out.push({ field: 'redirectUris', message: 'The authorization code grant needs at least one redirect URI.' });
  if (f.clientType === 'public' && f.grantTypes.includes('client_credentials'))
    out.push({ field: 'grantTypes', message: 'A public client cannot use client credentials.' });
  return out;
}

function body(f: Form, creating: boolean) {
  return {
    name: f.name.trim(),
    description: f.description,
    ...(creating && f.clientId.trim() ? { clientId: f.clientId.trim() } : {}),
    clientType: f.clientType,
    // SAML only: no grant type, so no OIDC client (and no client secret)
    redirectUris: f.oidc ? linesOf(f.redirectUris) : [],
    postLogoutRedirectUris: f.oidc ? linesOf(f.postLogoutRedirectUris) : [],
    grantTypes: f.oidc ? f.grantTypes : [],
    extraScopes: f.oidc ? f.extraScopes.split(/[\s,]+/).filter(Boolean) : [],
    subjectClaimUri: f.subjectClaimUri,
    requestedClaims: f.requestedClaims,
    steps: f.steps,
    ...(f.samlEnabled ? { saml: samlBody(f.saml) } : {}),
  };
}

export function ApplicationEdit({ id }: { id?: string }) {
  const editing = id !== undefined;
  const app = useLoad(async () => (id ? get<Application>(`/applications/${encodeURIComponent(id)}`) : undefined), [id]);
  const claims = useLoad(async () => itemsOf(await get<{ items: LocalClaim[] }>('/claims?limit=200')), []);
  const authenticators = useLoad(
    async () => itemsOf(await get<{ items: AuthenticatorInfo[] }>('/authenticators?limit=200')),
    [],
  );
  const idps = useLoad(
    async () => itemsOf(await get<{ items: IdentityProvider[] }>('/identity-providers?limit=200')),
    [],
  );
  const { form, setForm, set, field, save: saveWith, submit } = useSaveForm(EMPTY, check);
  const [advanced, setAdvanced] = useState(false);
  const [secret, setSecret] = useState<{ value: string; clientId: string; next?: string }>();
  const secretAction = useSubmit();

  useEffect(() => {
    if (app.data) {
      setForm(toForm(app.data));
      if (
        app.data.steps.length > 1 ||
        app.data.steps.some((s) => s.options.length !== 1 || s.options[0]?.authenticator !== 'password')
      )
        setAdvanced(true);
    }
  }, [app.data, setForm]);

  // a problem in the sequence (found here or by the server) opens the advanced panel: the summary's link leads there
  useEffect(() => {
    if (problemsFor(submit.error, 'steps').length > 0) setAdvanced(true);
  }, [submit.error]);

  const save = () =>
    saveWith(async () => {
      if (editing) {
        const path = `/applications/${encodeURIComponent(id)}`;
        let saved = await put<Application>(path, body(form, false));
        // unticking SAML2 Web SSO removes the stored configuration (a PUT leaves out what it does not name)
        if (!form.samlEnabled && saved.saml) {
          await del(`${path}/saml`);
          saved = await get<Application>(path);
        }
        app.set(saved);
        return `Saved ${saved.name}.`;
      }
      const created = await post<{ application: Application; clientSecret?: string }>(
        '/applications',
        body(form, true),
      );
      const to = `/applications/${encodeURIComponent(created.application.id)}`;
      if (created.clientSecret)
        setSecret({ value: created.clientSecret, clientId: created.application.clientId, next: to });
      else navigate(to, { replace: true });
      return `Added ${created.application.name}.`;
    });

  const regenerate = () =>
    secretAction.run(async () => {
      if (!id || !confirm('Generate a new client secret? The current one stops working at once.')) return;
      const out = await post<{ clientSecret: string }>(`/applications/${encodeURIComponent(id)}/secret`);
      setSecret({ value: out.clientSecret, clientId: form.clientId });
    });

  const remove = () =>
    submit.run(
      deleteThen(
        id && `/applications/${encodeURIComponent(id)}`,
        `Delete the application ${form.name}? Its users can no longer log in to it.`,
        () => navigate('/applications'),
      ),
    );

  const loadError = app.error ?? claims.error ?? authenticators.error ?? idps.error;
  if (loadError)
    return (
      <LoadError
        error={loadError}
        retry={() => {
          for (const l of [app, claims, authenticators, idps]) l.reload();
        }}
      />
    );
  if ((editing && !app.data) || !claims.data || !authenticators.data || !idps.data)
    return <Loading what="the application" />;

  const claimChoices = claims.data.map((c) => ({ value: c.uri, label: `${c.uri} (${c.displayName})` }));
  const title = editing ? `Edit ${app.data?.name ?? ''}` : 'Add Service Provider';

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Service Providers', to: '/applications' },
          { label: 'List', to: '/applications' },
          { label: editing ? 'Edit' : 'Add' },
        ]}
        title={title}
        lead={
          editing ? (
            app.data?.grantTypes.length === 0 && app.data.saml ? (
              <>
                SAML issuer <code>{app.data.saml.issuer}</code>
              </>
            ) : (
              <>
                Client ID <code>{form.clientId}</code>
              </>
            )
          ) : (
            'An application (an OIDC relying party, a SAML service provider, or both) that hands its login to Stepgate.'
          )
        }
      />
      {secret && (
        <ShownOnce
          title="Client secret"
          value={secret.value}
          beside={
            <p>
              Client ID <code className="client-id">{secret.clientId}</code> — the application sends both.
            </p>
          }
          onDone={() => {
            const next = secret.next;
            setSecret(undefined);
            if (next) navigate(next, { replace: true });
          }}
        />
      )}
      <SubmitForm className="form wide" error={submit.error} fields={FIELDS} onSubmit={save}>
        <Section title="Basic Information">
          <TextField label="Service Provider Name" {...field('name')} required />
          <TextArea label="Description" {...field('description')} rows={2} />
        </Section>

        <Section title="Inbound Authentication Configuration" id="inbound">
          <SubSection title="OAuth/OpenID Connect Configuration" id="inbound-oidc">
            <CheckboxField
              label="Configure OAuth/OpenID Connect"
              name="oidc"
              checked={form.oidc}
              onChange={(on) => {
                set('oidc')(on);
                if (on && form.grantTypes.length === 0) set('grantTypes')(EMPTY.grantTypes);
              }}
              error={submit.error}
              help="Untick for a SAML-only service provider."
            />
            {form.oidc && (
              <>
                <TextField
                  label="Client ID"
                  {...field('clientId')}
                  readOnly={editing}
                  mono
                  help={editing ? 'A client ID cannot be changed.' : 'Leave blank to generate one.'}
                />
                <fieldset className="radios">
                  <legend>Client type</legend>
                  {(['confidential', 'public'] as const).map((t) => (
                    <label key={t} className="radio">
                      <input
                        type="radio"
                        name="clientType"
                        value={t}
                        checked={form.clientType === t}
                        onChange={() => set('clientType')(t)}
                      />
                      {t === 'confidential'
                        ? 'Confidential (server-side application with a client secret)'
                        : 'Public (browser or mobile app, PKCE only)'}
                    </label>
                  ))}
                </fieldset>
                {editing && form.clientType === 'confidential' && (
                  <div className="with-action">
                    <p className="muted">
                      {app.data?.hasSecret
                        ? 'A client secret is set. It is never shown again.'
                        : 'No client secret is set yet; save, then generate one.'}
                    </p>
                    <button
                      type="button"
                      className="secondary"
                      disabled={secretAction.busy || !app.data?.hasSecret}
                      onClick={() => void regenerate()}
                    >
                      Regenerate client secret
                    </button>
                    <FormAlert error={secretAction.error} />
                  </div>
                )}
                <TextArea
                  label="Callback URLs (redirect URIs)"
                  {...field('redirectUris')}
                  mono
                  rows={3}
                  help="One per line, for example http://localhost:8080/pickup-dispatch/oauth2client."
                />
                <TextArea
                  label="Post-logout redirect URIs"
                  {...field('postLogoutRedirectUris')}
                  mono
                  rows={2}
                  help="One per line."
                />
                <CheckboxGroup
                  id="grant-types"
                  legend="Allowed grant types"
                  name="grantTypes"
                  error={submit.error}
                  choices={GRANTS}
                  values={form.grantTypes}
                  onChange={(v) => set('grantTypes')(v as GrantType[])}
                />
                <TextField
                  label="Extra scopes"
                  {...field('extraScopes')}
                  mono
                  help="Space-separated scopes beyond openid, profile, email, phone; stepgate:admin allows the admin API."
                />
              </>
            )}
          </SubSection>
          <SubSection title="SAML2 Web SSO Configuration" id="inbound-saml">
            <CheckboxField
              label="Configure SAML2 Web SSO"
              name="samlEnabled"
              checked={form.samlEnabled}
              onChange={set('samlEnabled')}
              error={submit.error}
              help={
                editing && app.data?.saml && !form.samlEnabled
                  ? 'Update removes the SAML configuration of this service provider.'
                  : 'The same authentication sequence applies to SAML logins.'
              }
            />
            {form.samlEnabled && <SamlConfiguration value={form.saml} onChange={set('saml')} error={submit.error} />}
          </SubSection>
        </Section>

        <Section title="Claim Configuration">
          <SelectField
            label="Subject Claim URI"
            {...field('subjectClaimUri')}
            choices={claimChoices}
            help="The local claim whose value becomes the ID token's sub and the SAML NameID (the guide picks http://wso2.org/claims/mobile)."
          />
          <CheckboxGroup
            id="requested-claims"
            className="checks columns"
            legend="Requested claims"
            name="requestedClaims"
            error={submit.error}
            choices={claims.data.map((c) => ({
              value: c.uri,
              label: (
                <>
                  {c.displayName} <code className="small">{c.uri}</code>
                </>
              ),
            }))}
            values={form.requestedClaims}
            onChange={set('requestedClaims')}
          />
        </Section>

        <Section title="Local & Outbound Authentication Configuration">
          <p>
            Authentication steps: <strong>{sequenceSummary(form.steps) || 'none'}</strong>
          </p>
          <button
            type="button"
            className="secondary"
            aria-expanded={advanced}
            aria-controls="advanced-panel"
            onClick={() => setAdvanced((a) => !a)}
          >
            Advanced Configuration
          </button>
          <div id="advanced-panel" hidden={!advanced}>
            <AuthenticationSequence
              steps={form.steps}
              onChange={set('steps')}
              authenticators={authenticators.data}
              identityProviders={idps.data}
              error={submit.error}
            />
          </div>
        </Section>

        <FormActions
          sticky
          submit={editing ? 'Update' : 'Add'}
          busy={submit.busy}
          status={submit.status}
          onDelete={editing ? remove : undefined}
        />
      </SubmitForm>
    </>
  );
}
