/**
 * The SMS text per language (smsOTP `templates`): one field per locale the schema lists, each with the message a
 * login in that language gets and its segment count. A blank field means that language uses the message template.
 */
import type { ReactNode } from 'react';
import type { JsonSchema } from '../api/types.ts';
import { SchemaField } from '../ui/schema-form.tsx';

export interface LocaleTemplatesProps {
  schema: JsonSchema;
  value: Record<string, unknown> | undefined;
  onChange(value: Record<string, unknown>): void;
  /** the API's field name of `templates`, e.g. authenticators[0].config.templates */
  path: string;
  error: unknown;
  /** the template used when a language has none (messageTemplate) */
  fallback: string;
  /** the rendered message and its segment counter for a template */
  preview(template: string, locale: string): ReactNode;
}

export function LocaleTemplates(props: LocaleTemplatesProps) {
  const locales = Object.entries(props.schema.properties ?? {});
  const value = props.value ?? {};
  return (
    <fieldset className="subsection locale-templates">
      <legend>{props.schema.title ?? 'Message template per language'}</legend>
      {props.schema.description && <p className="small muted">{props.schema.description}</p>}
      {locales.map(([locale, schema]) => {
        const own = typeof value[locale] === 'string' ? (value[locale] as string) : '';
        return (
          <div key={locale} className="locale-template" data-locale={locale}>
            <SchemaField
              name={locale}
              schema={schema}
              value={own}
              onChange={(v: unknown) => props.onChange({ ...value, [locale]: v })}
              path={`${props.path}.${locale}`}
              error={props.error}
              after={props.preview(own.trim() === '' ? props.fallback : own, locale)}
            />
          </div>
        );
      })}
    </fieldset>
  );
}
