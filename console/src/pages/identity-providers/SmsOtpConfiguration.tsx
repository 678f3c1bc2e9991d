/**
 * Federated Authenticators › SMS OTP Configuration: Enable, the SMS provider (GatewayEditor), the message and its
 * length in SMS segments, the advanced options rendered from the authenticator's schema, and "Send test SMS".
 */
import type { ReactNode } from 'react';
import type { JsonSchema } from '../../api/types.ts';
import { LocaleTemplates } from '../../sms/LocaleTemplates.tsx';
import { countSegments, otpText } from '../../sms/shared.ts';
import { CheckboxField } from '../../ui/forms.tsx';
import { SchemaField, SchemaFields } from '../../ui/schema-form.tsx';
import { GatewayListEditor } from './GatewayListEditor.tsx';
import { RoutesEditor } from './RoutesEditor.tsx';

/** How the advanced options are grouped; options the schema adds later land in "Other options". */
const GROUPS: { title: string; keys: string[] }[] = [
  { title: 'One-time password', keys: ['otpLength', 'expirySeconds', 'numericOnly', 'webOtp'] },
  {
    title: 'Retry and resend',
    keys: ['retryEnabled', 'resendEnabled', 'resendCooldownSeconds', 'maxResends', 'maxWrongCodesPerOtp'],
  },
  {
    title: 'Users and mobile numbers',
    keys: [
      'mandatory',
      'enableByUserClaim',
      'captureMobile',
      'mobileRegex',
      'mobileRegexMessage',
      'defaultCountry',
      'backupCodes',
    ],
  },
  { title: 'Account locking, masking and limits', keys: ['lockout', 'mask', 'limits'] },
  { title: 'Failover and number types', keys: ['breaker', 'refuseNumberTypes'] },
];
// shown apart: the gateways and routes have their editors (GatewayListEditor, RoutesEditor); the per-key maps are
// edited in a setup file or the admin API (docs/sms-otp.md)
const SHOWN_APART = [
  'gateway',
  'messageTemplate',
  'templates',
  'gateways',
  'routes',
  'refuseNumberTypesByCountry',
  'androidAppHash',
];

export interface SmsOtpConfigurationProps {
  enabled: boolean;
  onEnabled(enabled: boolean): void;
  config: Record<string, unknown>;
  onConfig(config: Record<string, unknown>): void;
  schema: JsonSchema;
  /** the API's field name of this configuration, e.g. authenticators[0].config */
  path: string;
  error: unknown;
  testPanel: ReactNode;
  /** the saved identity provider, whose gateways' breaker states are shown */
  idpId?: string;
}

/** The text one SMS carries for a sample code, as the authenticator renders it. */
export function sampleMessage(
  config: Record<string, unknown>,
  applicationName = 'Pickup Dispatch',
): { text: string; code: string; template: string } {
  const length = typeof config.otpLength === 'number' ? config.otpLength : 6;
  const code = (config.numericOnly === false ? 'K7Q2M9X4B8Z3' : '482915736205').slice(0, length);
  const template = typeof config.messageTemplate === 'string' ? config.messageTemplate : 'Verification Code: {code}';
  const hashes = (config.androidAppHash ?? {}) as Record<string, string>;
  // the server's text (src/sms/otp-text.ts); the WebOTP line is on unless switched off, as the server's default
  const text = otpText({
    template,
    code,
    expirySeconds: typeof config.expirySeconds === 'number' ? config.expirySeconds : 300,
    application: applicationName,
    ...(config.webOtp !== false ? { webOtpHost: location.hostname } : {}),
    ...(hashes[applicationName] ? { androidAppHash: hashes[applicationName] } : {}),
  });
  return { text, code, template };
}

export function SegmentInfo({ text }: { text: string }) {
  const s = countSegments(text);
  const perPart = s.encoding === 'GSM-7' ? (s.segments > 1 ? 153 : 160) : s.segments > 1 ? 67 : 70;
  return (
    <p className="segments" aria-live="polite">
      <span className={`badge ${s.segments > 1 ? 'warn' : 'good'}`}>
        {s.segments} SMS segment{s.segments === 1 ? '' : 's'}
      </span>{' '}
      {s.encoding} · {s.characters} {s.encoding === 'GSM-7' ? 'septets' : 'UTF-16 units'} ({perPart} per segment)
      {s.encoding === 'UCS-2' && (
        <span className="muted"> — a character outside the GSM alphabet makes the whole message UCS-2.</span>
      )}
    </p>
  );
}

export function SmsOtpConfiguration(props: SmsOtpConfigurationProps) {
  const { config, schema, path, error } = props;
  const properties = schema.properties ?? {};
  const set = (key: string) => (v: unknown) => props.onConfig({ ...config, [key]: v });
  const grouped = new Set([...SHOWN_APART, ...GROUPS.flatMap((g) => g.keys)]);
  const others = Object.keys(properties).filter((k) => !grouped.has(k));
  const sample = sampleMessage(config);

  return (
    <div className="authenticator-config">
      <CheckboxField
        label="Enable"
        name={`${path.replace(/\.config$/, '')}.enabled`}
        error={error}
        checked={props.enabled}
        onChange={props.onEnabled}
        help="Enable the SMS OTP authenticator in this identity provider."
      />
      <GatewayListEditor
        config={config}
        onConfig={props.onConfig}
        schema={schema}
        path={path}
        error={error}
        {...(props.idpId ? { idpId: props.idpId } : {})}
      />
      {(Array.isArray(config.gateways) && config.gateways.length > 0) ||
      (Array.isArray(config.routes) && config.routes.length > 0) ? (
        <RoutesEditor config={config} onConfig={props.onConfig} path={path} error={error} />
      ) : null}
      {properties.messageTemplate && (
        <SchemaField
          name="messageTemplate"
          schema={properties.messageTemplate}
          value={config.messageTemplate}
          onChange={set('messageTemplate')}
          path={`${path}.messageTemplate`}
          error={error}
          after={
            <div className="message-preview">
              <p className="small muted">
                Rendered message: <q className="mono">{sample.text}</q>
              </p>
              <SegmentInfo text={sample.text} />
            </div>
          }
        />
      )}
      {properties.templates && (
        <LocaleTemplates
          schema={properties.templates}
          value={config.templates as Record<string, unknown> | undefined}
          onChange={set('templates')}
          path={`${path}.templates`}
          error={error}
          fallback={sample.template}
          preview={(template, locale) => {
            const text = sampleMessage({ ...config, messageTemplate: template }).text;
            return (
              <div className="message-preview" data-locale={locale}>
                <p className="small muted">
                  Rendered message: <q className="mono">{text}</q>
                </p>
                <SegmentInfo text={text} />
              </div>
            );
          }}
        />
      )}
      {props.testPanel}
      <details className="subsection advanced">
        <summary>Advanced options</summary>
        {[...GROUPS, { title: 'Other options', keys: others }].map((g) => {
          const keys = g.keys.filter((k) => properties[k]);
          if (keys.length === 0) return null;
          return (
            <fieldset key={g.title} className="group">
              <legend>{g.title}</legend>
              <SchemaFields
                properties={properties}
                keys={keys}
                config={config}
                onChange={props.onConfig}
                path={path}
                error={error}
              />
            </fieldset>
          );
        })}
      </details>
    </div>
  );
}
