/**
 * SMS OTP Configuration › SMS gateways: the ordered failover list (`gateways`), each gateway edited with the one-gateway
 * form (GatewayEditor) under its own name, with its circuit breaker's state beside it; add (a preset or custom), move
 * up and down, remove. A configuration without a list has the single `gateway`, shown as before; adding a second
 * gateway turns it into the first of the list under the name `default`, the name the server gives it too, so its
 * stored secrets are kept on save (the server matches stored secrets by gateway name: src/authenticators/sms-otp).
 */
import { useLayoutEffect, useRef, useState } from 'react';
import { get } from '../../api/client.ts';
import type { JsonSchema } from '../../api/types.ts';
import { type GatewayConfig, PRESETS, type ProviderId } from '../../sms/shared.ts';
import { CheckboxField, SelectField, TextField } from '../../ui/forms.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge } from '../../ui/page.tsx';
import { defaultsOf } from '../../ui/schema-form.tsx';
import { GatewayEditor } from './GatewayEditor.tsx';

/** One gateway of the list as the form holds it (what the API shows: secrets masked). */
export type NamedGatewayValue = GatewayConfig & { name: string; failoverOnTimeout?: boolean };
export interface RouteValue {
  match: { prefixes?: string[]; countries?: string[] };
  gateways: string[];
}

/** The name the server gives the single gateway of a configuration without a list (routing.ts). */
export const SINGLE_GATEWAY_NAME = 'default';
const ORDER: ProviderId[] = ['vonage', 'clickatell', 'plivo', 'bulksms', 'twilio'];

interface BreakerStatus {
  name: string;
  state: 'closed' | 'open' | 'half-open';
  failures: number;
  openUntil: number | null;
}
const TONE = { closed: 'good', open: 'bad', 'half-open': 'warn' } as const;
const WORDS = { closed: 'in use', open: 'skipped', 'half-open': 'next send is a trial' } as const;

export const providerLabel = (g: GatewayConfig) => (g.preset ? PRESETS[g.preset.provider].label : 'Custom');

/** Where a route names a gateway: "route 2 (+94, LK)". */
export function describeRoute(route: RouteValue, index: number): string {
  const where = [...(route.match.prefixes ?? []), ...(route.match.countries ?? [])].join(', ');
  return `route ${index + 1}${where ? ` (${where})` : ''}`;
}

/** A name no gateway of the list has: the provider's id, then id-2, id-3... */
function freeName(base: string, taken: string[]): string {
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}-${n}`)) return `${base}-${n}`;
}

/** A new gateway: the schema's defaults, and a preset with its declared field defaults (From, base URL). */
function newGateway(choice: ProviderId | 'custom', gatewaySchema: JsonSchema | undefined, taken: string[]) {
  const base = (gatewaySchema ? defaultsOf(gatewaySchema) : {}) as GatewayConfig;
  const { preset: _none, ...plain } = base;
  const name = freeName(choice === 'custom' ? 'custom' : choice, taken);
  if (choice === 'custom') return { ...plain, name, failoverOnTimeout: false } as NamedGatewayValue;
  const fields: Record<string, string> = {};
  for (const f of PRESETS[choice].fields) fields[f.name] = f.default ?? '';
  return { ...plain, name, failoverOnTimeout: false, preset: { provider: choice, fields } } as NamedGatewayValue;
}

/** Keys that follow each gateway through moves, so React keeps its fields (and the focused button) with it. */
function useItemKeys(length: number) {
  const next = useRef(0);
  const keys = useRef<string[]>([]);
  const fresh = () => `g${next.current++}`;
  if (keys.current.length !== length) keys.current = Array.from({ length }, (_, i) => keys.current[i] ?? fresh());
  return {
    keys: keys.current,
    add: () => keys.current.push(fresh()),
    move: (i: number, j: number) => {
      const k = keys.current;
      [k[i], k[j]] = [k[j]!, k[i]!];
    },
    remove: (i: number) => keys.current.splice(i, 1),
  };
}

interface Props {
  config: Record<string, unknown>;
  onConfig(config: Record<string, unknown>): void;
  schema: JsonSchema;
  /** the API's field name of the configuration, e.g. authenticators[0].config */
  path: string;
  error: unknown;
  /** a saved identity provider: its breakers are shown beside the gateways */
  idpId?: string;
}

export function GatewayListEditor({ config, onConfig, schema, path, error, idpId }: Props) {
  const properties = schema.properties ?? {};
  const gateways = (Array.isArray(config.gateways) ? config.gateways : []) as NamedGatewayValue[];
  const routes = (Array.isArray(config.routes) ? config.routes : []) as RouteValue[];
  const items = useItemKeys(gateways.length);
  const [adding, setAdding] = useState<ProviderId | 'custom'>('twilio');
  const [refusal, setRefusal] = useState<{ key: string; message: string }>();
  const [focus, setFocus] = useState<{ key: string; control: string }>();
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set());
  const listRef = useRef<HTMLOListElement>(null);
  const status = useLoad(
    async () =>
      idpId
        ? get<{ gateways: BreakerStatus[] }>(`/identity-providers/${encodeURIComponent(idpId)}/gateways/status`)
        : undefined,
    [idpId],
  );

  // after a move the moved gateway's button keeps the focus; at the top or bottom, where it is disabled, its twin
  useLayoutEffect(() => {
    if (!focus) return;
    const item = listRef.current?.querySelector<HTMLElement>(`[data-key="${focus.key}"]`);
    const wanted = item?.querySelector<HTMLButtonElement>(`[data-control="${focus.control}"]`);
    const other = item?.querySelector<HTMLButtonElement>(`[data-control="${focus.control === 'up' ? 'down' : 'up'}"]`);
    (wanted && !wanted.disabled ? wanted : other)?.focus();
    setFocus(undefined);
  }, [focus]);

  const setList = (list: NamedGatewayValue[], nextRoutes: RouteValue[] = routes) =>
    onConfig({ ...config, gateways: list, routes: nextRoutes });

  const add = () => {
    const taken = gateways.map((g) => g.name);
    // the single gateway becomes the first of the list, under the name the server already gives it
    const first =
      gateways.length === 0
        ? [{ ...((config.gateway ?? {}) as GatewayConfig), name: SINGLE_GATEWAY_NAME, failoverOnTimeout: false }]
        : gateways;
    if (gateways.length === 0) {
      items.add();
      taken.push(SINGLE_GATEWAY_NAME);
    }
    items.add();
    const created = newGateway(adding, properties.gateway, taken);
    setOpened((o) => new Set([...o, items.keys[items.keys.length - 1]!]));
    setRefusal(undefined);
    setList([...first, created]);
  };

  const move = (i: number, by: -1 | 1) => {
    const j = i + by;
    if (j < 0 || j >= gateways.length) return;
    const list = [...gateways];
    [list[i], list[j]] = [list[j]!, list[i]!];
    const key = items.keys[i]!;
    items.move(i, j);
    setFocus({ key, control: by < 0 ? 'up' : 'down' });
    setList(list);
  };

  const remove = (i: number) => {
    const g = gateways[i]!;
    const key = items.keys[i]!;
    const naming = routes.flatMap((r, n) => (r.gateways.includes(g.name) ? [describeRoute(r, n)] : []));
    if (naming.length > 0) {
      setRefusal({
        key,
        message: `${g.name} cannot be removed: ${naming.join(' and ')} still ${naming.length === 1 ? 'names' : 'name'} it. Take it out of ${naming.length === 1 ? 'that route' : 'those routes'} first (Routes, below).`,
      });
      return;
    }
    if (gateways.length === 1) {
      setRefusal({ key, message: 'The only gateway cannot be removed: change its settings instead.' });
      return;
    }
    if (!window.confirm(`Remove the gateway ${g.name}? Its settings and stored secrets are gone once you save.`))
      return;
    setRefusal(undefined);
    items.remove(i);
    setList(gateways.filter((_, n) => n !== i));
  };

  /** A renamed gateway stays in the routes that named it (unless another gateway still has the old name). */
  const rename = (i: number, name: string) => {
    const old = gateways[i]!.name;
    const list = gateways.map((g, n) => (n === i ? { ...g, name } : g));
    const stillThere = list.some((g) => g.name === old);
    const nextRoutes = stillThere
      ? routes
      : routes.map((r) => ({ ...r, gateways: r.gateways.map((x) => (x === old ? name : x)) }));
    setList(list, nextRoutes);
  };

  const breakerOf = (name: string) => status.data?.gateways.find((s) => s.name === name);

  const addControls = (
    <div className="gateway-add with-action">
      <SelectField
        label="New gateway"
        value={adding}
        onChange={(v) => setAdding(v as ProviderId | 'custom')}
        choices={[
          ...ORDER.map((id) => ({ value: id, label: PRESETS[id].label })),
          { value: 'custom', label: 'Custom (SMS URL, method, headers, payload)' },
        ]}
      />
      <button type="button" className="secondary" onClick={add}>
        {gateways.length === 0 ? 'Add a second gateway' : 'Add gateway'}
      </button>
    </div>
  );

  if (gateways.length === 0) {
    const single = breakerOf(SINGLE_GATEWAY_NAME);
    return (
      <section className="gateway-list single" aria-labelledby="gateway-list-title">
        <h4 id="gateway-list-title">SMS gateways</h4>
        <p className="field-help">
          One gateway, named <span className="mono">{SINGLE_GATEWAY_NAME}</span> in routes and the status
          {single ? (
            <>
              {' '}
              — breaker <Badge tone={TONE[single.state]}>{single.state}</Badge>
            </>
          ) : null}
          . Add a second one for failover: a definitive failure of the first moves the message to the next.
        </p>
        {properties.gateway && (
          <GatewayEditor
            value={(config.gateway ?? {}) as GatewayConfig}
            onChange={(gateway) => onConfig({ ...config, gateway })}
            schema={properties.gateway}
            path={`${path}.gateway`}
            error={error}
          />
        )}
        {addControls}
      </section>
    );
  }

  return (
    <section className="gateway-list" aria-labelledby="gateway-list-title">
      <h4 id="gateway-list-title">SMS gateways</h4>
      <p className="field-help">
        In failover order: a definitive failure (refused, TLS, an HTTP error, a rejected answer) moves to the next; a
        route below can name its own gateways and order.
      </p>
      <ol className="gateway-items" ref={listRef}>
        {gateways.map((g, i) => {
          const key = items.keys[i]!;
          const at = `${path}.gateways[${i}]`;
          const breaker = breakerOf(g.name);
          const label = g.name || `gateway ${i + 1}`;
          const { name: _name, failoverOnTimeout, ...gateway } = g;
          return (
            <li key={key} data-key={key} data-gateway={g.name} className="gateway-item">
              <div className="title-row gateway-head">
                <span className="gateway-title">
                  <strong className="mono">{label}</strong> <span className="muted">{providerLabel(g)}</span>{' '}
                  {breaker ? (
                    <span className="breaker" data-state={breaker.state}>
                      <Badge tone={TONE[breaker.state]}>{breaker.state}</Badge>{' '}
                      <span className="small muted">
                        {WORDS[breaker.state]}
                        {breaker.failures > 0 ? ` · ${breaker.failures} failures in window` : ''}
                      </span>
                    </span>
                  ) : (
                    idpId && <span className="small muted">not saved yet</span>
                  )}
                </span>
                <span className="actions gateway-actions">
                  <button
                    type="button"
                    className="secondary small"
                    data-control="up"
                    disabled={i === 0}
                    aria-label={`Move ${label} up`}
                    onClick={() => move(i, -1)}
                  >
                    ↑ Up
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    data-control="down"
                    disabled={i === gateways.length - 1}
                    aria-label={`Move ${label} down`}
                    onClick={() => move(i, 1)}
                  >
                    ↓ Down
                  </button>
                  <button
                    type="button"
                    className="secondary small danger"
                    aria-label={`Remove ${label}`}
                    onClick={() => remove(i)}
                  >
                    Remove
                  </button>
                </span>
              </div>
              {refusal?.key === key && (
                <p className="alert error gateway-refusal" role="alert">
                  {refusal.message}
                </p>
              )}
              {/* rendered while closed, so a saved error inside is found by the form's summary, which opens it */}
              <details className="subsection gateway-settings" open={opened.has(key)}>
                <summary>Settings of {label}</summary>
                <TextField
                  label="Name"
                  name={`${at}.name`}
                  error={error}
                  value={g.name}
                  onChange={(name) => rename(i, name)}
                  required
                  mono
                  className="short-field"
                  help="Names the gateway in routes, audit events and the breaker status. Stored secrets are kept by name: after renaming a saved gateway, type its secrets again."
                />
                <CheckboxField
                  label="Fail over on timeout"
                  name={`${at}.failoverOnTimeout`}
                  error={error}
                  checked={failoverOnTimeout === true}
                  onChange={(on) => setList(gateways.map((x, n) => (n === i ? { ...x, failoverOnTimeout: on } : x)))}
                  help="Off: a timeout stops there, since the message may be on its way."
                />
                <GatewayEditor
                  value={gateway as GatewayConfig}
                  onChange={(next) =>
                    setList(gateways.map((x, n) => (n === i ? { ...next, name: x.name, failoverOnTimeout } : x)))
                  }
                  schema={properties.gateway}
                  path={at}
                  error={error}
                />
              </details>
            </li>
          );
        })}
      </ol>
      {status.error !== undefined && <p className="small muted">The breaker states could not be read.</p>}
      {gateways.length < 10 ? (
        addControls
      ) : (
        <p className="small muted">Ten gateways is the most a configuration holds.</p>
      )}
    </section>
  );
}
