/**
 * SMS OTP Configuration › Routes: which gateways serve which destinations (`routes`: E.164 prefixes or ISO country
 * codes → gateway names in order), with add, remove and move up/down for routes and for the gateways of a route; the
 * server's problems are shown at their field. A sample number shows where a message to it would go, computed here
 * by the server's rules (src/authenticators/sms-otp/routing.ts, which cannot be bundled: its types reach into the
 * server's Node modules) and the same phone-number metadata, loaded when first used.
 */
import { useEffect, useId, useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { useFormErrors } from '../../ui/form-errors.tsx';
import { SelectField, TextField } from '../../ui/forms.tsx';
import { asSentence } from '../../ui/sentence.ts';
import { describeRoute, type NamedGatewayValue, type RouteValue, SINGLE_GATEWAY_NAME } from './GatewayListEditor.tsx';

interface Props {
  config: Record<string, unknown>;
  onConfig(config: Record<string, unknown>): void;
  /** the API's field name of the configuration, e.g. authenticators[0].config */
  path: string;
  error: unknown;
}

const splitList = (text: string, upper: boolean) =>
  text
    .split(/[\s,;]+/)
    .map((s) => (upper ? s.toUpperCase() : s))
    .filter(Boolean);

/**
 * A list typed as text ("+94, +4474"): the text is kept while it reads as the same list, so typing the comma before
 * the next item is not undone by the re-render.
 */
function ListField(props: {
  label: string;
  name: string;
  error: unknown;
  value: string[];
  onChange(value: string[]): void;
  upper?: boolean;
  help: string;
  placeholder: string;
}) {
  const [text, setText] = useState(props.value.join(', '));
  const same = JSON.stringify(splitList(text, props.upper === true)) === JSON.stringify(props.value);
  return (
    <TextField
      label={props.label}
      name={props.name}
      error={props.error}
      value={same ? text : props.value.join(', ')}
      onChange={(t) => {
        setText(t);
        props.onChange(splitList(t, props.upper === true));
      }}
      mono
      help={props.help}
      placeholder={props.placeholder}
    />
  );
}

/** The server's problems for exactly this field (not its items, which their own fields show). */
function ownProblems(error: unknown, field: string): string[] {
  if (!(error instanceof ApiError)) return [];
  return (error.problem.errors ?? []).filter((e) => e.field === field).map((e) => asSentence(e.message));
}

/** The problems of a fieldset's own field under its legend, until something inside is edited. */
function GroupErrors({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <p className="field-error" id={id}>
      {messages.join(' ')}
    </p>
  );
}

/**
 * routing.ts's routeFor on the form's values: the first route whose prefixes start the E.164 number or whose
 * countries hold its country gives its gateways, in its order (names that exist only); none: every gateway in order.
 */
export function routeNames(
  names: string[],
  routes: RouteValue[],
  to: { e164: string; country: string | undefined },
): { route: number | null; names: string[] } {
  const index = routes.findIndex(
    ({ match }) =>
      (match.prefixes ?? []).some((p) => to.e164.startsWith(p)) ||
      (to.country !== undefined && (match.countries ?? []).includes(to.country)),
  );
  const route = routes[index];
  if (route === undefined) return { route: null, names };
  return { route: index, names: route.gateways.filter((n) => names.includes(n)) };
}

type Parsed = { e164: string; country: string | undefined } | 'invalid' | undefined;

/** The sample number as the server reads a stored mobile number (libphonenumber's full metadata, E.164 and country). */
function useParsedSample(sample: string): Parsed {
  const [parsed, setParsed] = useState<Parsed>();
  useEffect(() => {
    let live = true;
    if (sample.trim() === '') {
      setParsed(undefined);
      return;
    }
    void import('libphonenumber-js/max').then(({ parsePhoneNumberFromString }) => {
      if (!live) return;
      const p = parsePhoneNumberFromString(sample.trim());
      setParsed(p?.isValid() ? { e164: p.number, country: p.country } : 'invalid');
    });
    return () => {
      live = false;
    };
  }, [sample]);
  return parsed;
}

function RouteHint({ config, sample }: { config: Record<string, unknown>; sample: string }) {
  const parsed = useParsedSample(sample);
  if (parsed === undefined) return null;
  if (parsed === 'invalid')
    return (
      <p className="route-hint small" aria-live="polite">
        Not a valid number with its country code (+94 77 123 4567).
      </p>
    );
  const gateways = (Array.isArray(config.gateways) ? config.gateways : []) as NamedGatewayValue[];
  const routes = (Array.isArray(config.routes) ? config.routes : []) as RouteValue[];
  const all = gateways.length === 0 ? [SINGLE_GATEWAY_NAME] : gateways.map((g) => g.name);
  const { route, names } = routeNames(all, routes, parsed);
  return (
    <p className="route-hint small" aria-live="polite" data-route={route ?? 'none'}>
      <span className="mono">{parsed.e164}</span>
      {parsed.country ? ` (${parsed.country})` : ''}:{' '}
      {route === null ? 'no route matches, so every gateway in order: ' : `${describeRoute(routes[route]!, route)}: `}
      <strong className="mono">
        {names.length > 0 ? names.join(' → ') : 'no gateway (the route names none that exists)'}
      </strong>
    </p>
  );
}

export function RoutesEditor({ config, onConfig, path, error }: Props) {
  const gateways = (Array.isArray(config.gateways) ? config.gateways : []) as NamedGatewayValue[];
  const routes = (Array.isArray(config.routes) ? config.routes : []) as RouteValue[];
  const names = gateways.length === 0 ? [SINGLE_GATEWAY_NAME] : gateways.map((g) => g.name);
  const [sample, setSample] = useState('');
  const form = useFormErrors();
  const baseId = useId().replace(/:/g, '');
  const groupErrors = (field: string) => (form.isEdited(field) ? [] : ownProblems(error, field));

  const setRoutes = (next: RouteValue[]) => onConfig({ ...config, routes: next });
  const patch = (i: number, change: Partial<RouteValue>, edited: string) => {
    form.markEdited(edited);
    setRoutes(routes.map((r, n) => (n === i ? { ...r, ...change } : r)));
  };
  const moveIn = <T,>(list: T[], i: number, by: -1 | 1): T[] => {
    const out = [...list];
    const j = i + by;
    if (j < 0 || j >= out.length) return out;
    [out[i], out[j]] = [out[j]!, out[i]!];
    return out;
  };

  return (
    <section className="routes" aria-labelledby="routes-title">
      <h4 id="routes-title">Routes</h4>
      <p className="field-help">
        The first route whose prefixes or countries match the destination gives its gateways, in its order; a number no
        route matches uses every gateway in the list order.
      </p>
      {routes.length === 0 && <p className="muted small">No routes: every number uses every gateway in order.</p>}
      <div className="route-items">
        {routes.map((r, i) => {
          const at = `${path}.routes[${i}]`;
          const key = `${baseId}-route-${i}`;
          const title = `Route ${i + 1}`;
          const matchErrors = groupErrors(`${at}.match`);
          const gatewayErrors = groupErrors(`${at}.gateways`);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: a route has no identity of its own; its index is its field path
            <div key={i} className="route-item">
              <fieldset
                className="group route"
                aria-describedby={matchErrors.length > 0 ? `${key}-match-error` : undefined}
              >
                <legend>{title}</legend>
                <GroupErrors id={`${key}-match-error`} messages={matchErrors} />
                <ListField
                  label="E.164 prefixes"
                  name={`${at}.match.prefixes`}
                  error={error}
                  value={r.match.prefixes ?? []}
                  onChange={(prefixes) => patch(i, { match: { ...r.match, prefixes } }, `${at}.match`)}
                  help="Separated by commas, each + and digits, e.g. +94, +4474."
                  placeholder="+94"
                />
                <ListField
                  label="Countries"
                  name={`${at}.match.countries`}
                  error={error}
                  value={r.match.countries ?? []}
                  onChange={(countries) => patch(i, { match: { ...r.match, countries } }, `${at}.match`)}
                  upper
                  help="ISO 3166 codes separated by commas, e.g. LK, GB."
                  placeholder="LK"
                />
                <fieldset
                  className="route-gateways"
                  aria-describedby={gatewayErrors.length > 0 ? `${key}-gateways-error` : undefined}
                >
                  <legend>Gateways of {title.toLowerCase()}, tried in this order</legend>
                  <GroupErrors id={`${key}-gateways-error`} messages={gatewayErrors} />
                  <ol>
                    {r.gateways.map((name, j) => {
                      const choices = names.map((n) => ({ value: n, label: n }));
                      if (!names.includes(name)) choices.unshift({ value: name, label: `${name} (no such gateway)` });
                      return (
                        // biome-ignore lint/suspicious/noArrayIndexKey: the position is what the select stands for
                        <li key={j} className="route-gateway with-action">
                          <SelectField
                            label={`${title}, gateway ${j + 1}`}
                            name={`${at}.gateways[${j}]`}
                            error={error}
                            value={name}
                            choices={choices}
                            onChange={(v) =>
                              patch(i, { gateways: r.gateways.map((x, n) => (n === j ? v : x)) }, `${at}.gateways`)
                            }
                          />
                          <button
                            type="button"
                            className="secondary small"
                            disabled={j === 0}
                            aria-label={`Move ${name} up in ${title.toLowerCase()}`}
                            onClick={() => patch(i, { gateways: moveIn(r.gateways, j, -1) }, `${at}.gateways`)}
                          >
                            ↑
                          </button>
                          <button
                            type="button"
                            className="secondary small"
                            disabled={j === r.gateways.length - 1}
                            aria-label={`Move ${name} down in ${title.toLowerCase()}`}
                            onClick={() => patch(i, { gateways: moveIn(r.gateways, j, 1) }, `${at}.gateways`)}
                          >
                            ↓
                          </button>
                          <button
                            type="button"
                            className="secondary small"
                            aria-label={`Take ${name} out of ${title.toLowerCase()}`}
                            onClick={() =>
                              patch(i, { gateways: r.gateways.filter((_, n) => n !== j) }, `${at}.gateways`)
                            }
                          >
                            Take out
                          </button>
                        </li>
                      );
                    })}
                  </ol>
                  {names.some((n) => !r.gateways.includes(n)) && (
                    <button
                      type="button"
                      className="secondary small"
                      onClick={() =>
                        patch(
                          i,
                          { gateways: [...r.gateways, names.find((n) => !r.gateways.includes(n))!] },
                          `${at}.gateways`,
                        )
                      }
                    >
                      Add a gateway to {title.toLowerCase()}
                    </button>
                  )}
                </fieldset>
                <div className="title-row route-actions">
                  <span className="actions">
                    <button
                      type="button"
                      className="secondary small"
                      disabled={i === 0}
                      aria-label={`Move ${title.toLowerCase()} up`}
                      onClick={() => setRoutes(moveIn(routes, i, -1))}
                    >
                      ↑ Up
                    </button>
                    <button
                      type="button"
                      className="secondary small"
                      disabled={i === routes.length - 1}
                      aria-label={`Move ${title.toLowerCase()} down`}
                      onClick={() => setRoutes(moveIn(routes, i, 1))}
                    >
                      ↓ Down
                    </button>
                    <button
                      type="button"
                      className="secondary small danger"
                      aria-label={`Remove ${title.toLowerCase()}`}
                      onClick={() => setRoutes(routes.filter((_, n) => n !== i))}
                    >
                      Remove route
                    </button>
                  </span>
                </div>
              </fieldset>
            </div>
          );
        })}
      </div>
      {routes.length < 100 && (
        <button
          type="button"
          className="secondary"
          onClick={() => setRoutes([...routes, { match: { prefixes: [], countries: [] }, gateways: [names[0]!] }])}
        >
          Add route
        </button>
      )}
      <TextField
        label="Try a number"
        value={sample}
        onChange={setSample}
        type="tel"
        mono
        className="short-field"
        placeholder="+94771234567"
        help="Shows which gateways a code to this number would go through with the settings on this page (saved or not)."
      />
      <RouteHint config={config} sample={sample} />
    </section>
  );
}
