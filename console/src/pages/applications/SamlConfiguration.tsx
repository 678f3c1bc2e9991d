// Service Providers › Edit › Inbound Authentication Configuration › SAML2 Web SSO Configuration, in WSO2's words,
// with "Import SP metadata" (a file or pasted XML) that fills the form through the API; Update saves it.
import { useId, useState } from 'react';
import { post } from '../../api/client.ts';
import type { SamlNameIdFormat, SamlServiceProviderSettings } from '../../api/types.ts';
import { FieldRow, useDescribed } from '../../ui/field-row.tsx';
import { FormErrorsProvider } from '../../ui/form-errors.tsx';
import { CheckboxField, FormAlert, linesOf, SelectField, TextArea, TextField } from '../../ui/forms.tsx';
import { useSubmit } from '../../ui/hooks.ts';

export interface SamlForm {
  issuer: string;
  assertionConsumerUrls: string;
  defaultAssertionConsumerUrl: string;
  nameIdFormat: SamlNameIdFormat;
  signResponses: boolean;
  validateRequestSignatures: boolean;
  encryptAssertions: boolean;
  certificate: string;
  singleLogout: boolean;
  sloUrl: string;
  sloResponseUrl: string;
  sloBinding: 'redirect' | 'post';
  attributeProfile: boolean;
  idpInitiated: boolean;
}

export const EMPTY_SAML: SamlForm = {
  issuer: '',
  assertionConsumerUrls: '',
  defaultAssertionConsumerUrl: '',
  nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  signResponses: true,
  validateRequestSignatures: false,
  encryptAssertions: false,
  certificate: '',
  singleLogout: false,
  sloUrl: '',
  sloResponseUrl: '',
  sloBinding: 'redirect',
  attributeProfile: false,
  idpInitiated: false,
};

const NAME_ID_FORMATS = (
  [
    { value: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', label: 'Unspecified' },
    { value: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', label: 'Email address' },
    { value: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', label: 'Persistent' },
    { value: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient', label: 'Transient' },
  ] satisfies { value: SamlNameIdFormat; label: string }[]
).map((f) => ({ ...f, label: `${f.label} (${f.value})` }));

export function samlToForm(s: SamlServiceProviderSettings | undefined): SamlForm {
  if (!s) return EMPTY_SAML;
  return {
    issuer: s.issuer,
    assertionConsumerUrls: s.assertionConsumerUrls.join('\n'),
    defaultAssertionConsumerUrl: s.defaultAssertionConsumerUrl,
    nameIdFormat: s.nameIdFormat,
    signResponses: s.signResponses,
    validateRequestSignatures: s.validateRequestSignatures,
    encryptAssertions: s.encryptAssertions,
    certificate: s.certificate ?? '',
    singleLogout: s.singleLogout.enabled,
    sloUrl: s.singleLogout.url ?? '',
    sloResponseUrl: s.singleLogout.responseUrl ?? '',
    sloBinding: s.singleLogout.binding ?? 'redirect',
    attributeProfile: s.attributeProfile,
    idpInitiated: s.idpInitiated,
  };
}

/** The default ACS URL the form stands for: the chosen one while it is still listed, else the first. */
function effectiveDefault(f: SamlForm): string {
  const urls = linesOf(f.assertionConsumerUrls);
  return urls.includes(f.defaultAssertionConsumerUrl) ? f.defaultAssertionConsumerUrl : (urls[0] ?? '');
}

/** The API's SAML settings input: what the form says; the server fills in and checks the rest. */
export function samlBody(f: SamlForm) {
  const def = effectiveDefault(f);
  return {
    issuer: f.issuer.trim(),
    assertionConsumerUrls: linesOf(f.assertionConsumerUrls),
    ...(def ? { defaultAssertionConsumerUrl: def } : {}),
    nameIdFormat: f.nameIdFormat,
    signResponses: f.signResponses,
    validateRequestSignatures: f.validateRequestSignatures,
    encryptAssertions: f.encryptAssertions,
    ...(f.certificate.trim() ? { certificate: f.certificate.trim() } : {}),
    // the SLO fields are shown (and sent) only while Single Logout is enabled: no problem hides in a closed field
    singleLogout: f.singleLogout
      ? {
          enabled: true,
          ...(f.sloUrl.trim() ? { url: f.sloUrl.trim() } : {}),
          ...(f.sloResponseUrl.trim() ? { responseUrl: f.sloResponseUrl.trim() } : {}),
          binding: f.sloBinding,
        }
      : { enabled: false },
    attributeProfile: f.attributeProfile,
    idpInitiated: f.idpInitiated,
  };
}

interface MetadataRead {
  saml: Partial<SamlServiceProviderSettings> & Pick<SamlServiceProviderSettings, 'issuer' | 'assertionConsumerUrls'>;
  warnings: string[];
}

/** What an import changes in the form: what the metadata says; the administrator's other choices stay. */
function withMetadata(f: SamlForm, read: MetadataRead['saml']): SamlForm {
  const slo = read.singleLogout;
  return {
    ...f,
    issuer: read.issuer,
    assertionConsumerUrls: read.assertionConsumerUrls.join('\n'),
    defaultAssertionConsumerUrl: read.defaultAssertionConsumerUrl ?? read.assertionConsumerUrls[0] ?? '',
    ...(read.nameIdFormat ? { nameIdFormat: read.nameIdFormat } : {}),
    validateRequestSignatures: read.validateRequestSignatures ?? f.validateRequestSignatures,
    ...(read.certificate ? { certificate: read.certificate } : {}),
    singleLogout: slo?.enabled ?? false,
    sloUrl: slo?.url ?? '',
    sloResponseUrl: slo?.responseUrl ?? '',
    sloBinding: slo?.binding ?? f.sloBinding,
  };
}

/** "Import SP metadata": a file is read and imported at once; pasted XML is imported with the button. */
function ImportMetadata({ onRead, formError }: { onRead(read: MetadataRead): void; formError: unknown }) {
  const [xml, setXml] = useState('');
  const importer = useSubmit();
  // an import's error stands until the form is saved again: a save's own problems then have the page (and focus)
  const [formErrorAtImport, setFormErrorAtImport] = useState<unknown>();
  const error = formError === formErrorAtImport ? importer.error : undefined;
  const fileId = `f${useId().replace(/:/g, '')}`;
  const file = useDescribed({
    id: fileId,
    label: 'Metadata file',
    help: "The SP's metadata file (an md:EntityDescriptor), imported when chosen.",
  });
  const run = (text: string) => {
    setFormErrorAtImport(formError);
    return importer.run(async () => {
      const read = await post<MetadataRead>('/saml/sp-metadata', { xml: text });
      onRead(read);
      return `Imported the metadata of ${read.saml.issuer}: check the settings below, then save.`;
    });
  };
  return (
    <fieldset className="group saml-import">
      <legend>Import SP metadata</legend>
      {/* the import's errors are its own: editing the XML clears them, whatever the form's last save said */}
      <FormErrorsProvider error={error}>
        <FieldRow described={file} label="Metadata file">
          <input
            {...file.aria}
            type="file"
            accept=".xml,application/samlmetadata+xml,application/xml,text/xml"
            onChange={(e) => {
              const chosen = e.target.files?.[0];
              e.target.value = '';
              if (!chosen) return;
              void chosen.text().then((text) => {
                setXml(text);
                void run(text);
              });
            }}
          />
        </FieldRow>
        <TextArea
          label="Metadata XML"
          name="xml"
          value={xml}
          onChange={setXml}
          error={error}
          rows={4}
          mono
          placeholder='<md:EntityDescriptor entityID="…">…</md:EntityDescriptor>'
          help="Or paste the metadata and choose Import."
        />
        <div className="with-action">
          <button
            type="button"
            className="secondary"
            disabled={importer.busy || !xml.trim()}
            onClick={() => void run(xml)}
          >
            Import
          </button>
          <p className="status" role="status" aria-live="polite">
            {importer.status ?? ''}
          </p>
        </div>
        <FormAlert error={error} fields={['xml']} />
      </FormErrorsProvider>
    </fieldset>
  );
}

export function SamlConfiguration({
  value,
  onChange,
  error,
}: {
  value: SamlForm;
  onChange(next: SamlForm): void;
  error: unknown;
}) {
  const [warnings, setWarnings] = useState<string[]>([]);
  const set =
    <K extends keyof SamlForm>(k: K) =>
    (v: SamlForm[K]) =>
      onChange({ ...value, [k]: v });
  const urls = linesOf(value.assertionConsumerUrls);
  const flag = (k: keyof SamlForm, label: string, name: string, help?: string) => (
    <CheckboxField
      label={label}
      name={name}
      checked={value[k] as boolean}
      onChange={set(k) as (v: boolean) => void}
      error={error}
      help={help}
    />
  );
  return (
    <div className="saml-configuration">
      <ImportMetadata
        formError={error}
        onRead={(read) => {
          onChange(withMetadata(value, read.saml));
          setWarnings(read.warnings);
        }}
      />
      {warnings.length > 0 && (
        <div className="alert once" role="status">
          <p>The metadata says more than these settings hold:</p>
          <ul>
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      <TextField
        label="Issuer"
        name="saml.issuer"
        value={value.issuer}
        onChange={set('issuer')}
        error={error}
        mono
        required
        help="The SP's entity ID, e.g. saml2-web-app-pickup-dispatch.com; no two service providers share one."
      />
      <TextArea
        label="Assertion Consumer URLs"
        name="saml.assertionConsumerUrls"
        value={value.assertionConsumerUrls}
        onChange={set('assertionConsumerUrls')}
        error={error}
        mono
        rows={2}
        help="One per line, e.g. http://localhost:8081/saml2/acs. Responses go to these addresses only (https; plain http to localhost)."
      />
      <SelectField
        label="Default Assertion Consumer URL"
        name="saml.defaultAssertionConsumerUrl"
        value={effectiveDefault(value)}
        onChange={set('defaultAssertionConsumerUrl')}
        error={error}
        choices={urls.map((u) => ({ value: u, label: u }))}
        {...(urls.length === 0 ? { placeholder: 'Add an Assertion Consumer URL first' } : {})}
        help="Used when a request names none, and for IdP-initiated SSO."
      />
      <SelectField
        label="NameID format"
        name="saml.nameIdFormat"
        value={value.nameIdFormat}
        onChange={(v) => set('nameIdFormat')(v as SamlNameIdFormat)}
        error={error}
        choices={NAME_ID_FORMATS}
        help="The NameID's value is the Subject Claim URI's value (Claim Configuration)."
      />
      {flag('signResponses', 'Enable Response Signing', 'saml.signResponses', 'The assertion is always signed.')}
      {flag(
        'validateRequestSignatures',
        'Enable Signature Validation in Authentication Requests and Logout Requests',
        'saml.validateRequestSignatures',
        'Needs the SP certificate below.',
      )}
      {flag('encryptAssertions', 'Enable Assertion Encryption', 'saml.encryptAssertions', 'Needs the SP certificate.')}
      <TextArea
        label="Certificate"
        name="saml.certificate"
        value={value.certificate}
        onChange={set('certificate')}
        error={error}
        mono
        rows={4}
        placeholder="-----BEGIN CERTIFICATE-----"
        help="The SP's X.509 certificate (PEM): checks its request signatures and encrypts assertions for it."
      />
      {flag('singleLogout', 'Enable Single Logout', 'saml.singleLogout.enabled')}
      {value.singleLogout && (
        <div className="nested">
          <TextField
            label="SLO Request URL"
            name="saml.singleLogout.url"
            value={value.sloUrl}
            onChange={set('sloUrl')}
            error={error}
            mono
            type="url"
          />
          <TextField
            label="SLO Response URL"
            name="saml.singleLogout.responseUrl"
            value={value.sloResponseUrl}
            onChange={set('sloResponseUrl')}
            error={error}
            mono
            type="url"
            help="Leave blank to use the SLO Request URL."
          />
          <SelectField
            label="SLO binding"
            name="saml.singleLogout.binding"
            value={value.sloBinding}
            onChange={(v) => set('sloBinding')(v as 'redirect' | 'post')}
            error={error}
            choices={[
              { value: 'redirect', label: 'HTTP-Redirect' },
              { value: 'post', label: 'HTTP-POST' },
            ]}
          />
        </div>
      )}
      {flag(
        'attributeProfile',
        'Enable Attribute Profile',
        'saml.attributeProfile',
        "The requested claims (Claim Configuration) go in the assertion's AttributeStatement.",
      )}
      {flag('idpInitiated', 'Enable IdP Initiated SSO', 'saml.idpInitiated')}
    </div>
  );
}
