// "Send test SMS": sends with the saved configuration through one gateway (picked, else the route's first) and shows
// the rendered request and the provider's answer. The server never fails over for a test and leaves the breaker alone.
import { useEffect, useState } from 'react';
import { post } from '../../api/client.ts';
import type { RenderedRequest, SmsPreview, TestSmsResult } from '../../api/types.ts';
import { FormErrorsProvider } from '../../ui/form-errors.tsx';
import { FormAlert, SelectField, TextField } from '../../ui/forms.tsx';
import { useSubmit } from '../../ui/hooks.ts';
import { Badge } from '../../ui/page.tsx';
import { type NamedGatewayValue, type RouteValue, SINGLE_GATEWAY_NAME } from './GatewayListEditor.tsx';
import { routeNames } from './RoutesEditor.tsx';
import { SegmentInfo } from './SmsOtpConfiguration.tsx';

export function RequestView({ request, title }: { request: RenderedRequest; title: string }) {
  return (
    <figure className="request">
      <figcaption>{title}</figcaption>
      <pre>
        <strong>
          {request.method} {request.url}
        </strong>
        {'\n'}
        {request.headers.map(([k, v]) => `${k}: ${v}`).join('\n')}
        {request.body !== undefined && request.body !== '' ? `\n\n${request.body}` : ''}
      </pre>
    </figure>
  );
}

interface Props {
  idpId?: string;
  /** the unsaved SMS OTP configuration: its gateways for the picker and the preview, its routes for the default */
  config: Record<string, unknown>;
  /** the sample message text */
  text: string;
  dirty: boolean;
}

/** The gateway configuration of one name, without the list's own fields, for /sms/preview. */
function gatewayNamed(config: Record<string, unknown>, name: string): Record<string, unknown> {
  const list = (Array.isArray(config.gateways) ? config.gateways : []) as NamedGatewayValue[];
  if (list.length === 0) return (config.gateway ?? {}) as Record<string, unknown>;
  const { name: _n, failoverOnTimeout: _f, ...gateway } = list.find((g) => g.name === name) ?? list[0]!;
  return gateway;
}

/** The gateway the server picks for a number without a choice: the first of its route (routing.ts), as the page sees it. */
function useRouteChoice(config: Record<string, unknown>, names: string[], to: string): string | undefined {
  const [choice, setChoice] = useState<string>();
  const routes = (Array.isArray(config.routes) ? config.routes : []) as RouteValue[];
  const key = JSON.stringify([names, routes, to.trim()]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for names, routes and the number
  useEffect(() => {
    let live = true;
    void import('libphonenumber-js/max').then(({ parsePhoneNumberFromString }) => {
      if (!live) return;
      const p = parsePhoneNumberFromString(to.trim());
      setChoice(p?.isValid() ? routeNames(names, routes, { e164: p.number, country: p.country }).names[0] : undefined);
    });
    return () => {
      live = false;
    };
  }, [key]);
  return choice;
}

export function TestSms({ idpId, config, text, dirty }: Props) {
  const [to, setTo] = useState('');
  const [picked, setPicked] = useState('');
  const [result, setResult] = useState<TestSmsResult>();
  const [preview, setPreview] = useState<SmsPreview>();
  const send = useSubmit();
  const previewing = useSubmit();
  const list = (Array.isArray(config.gateways) ? config.gateways : []) as NamedGatewayValue[];
  const names = list.length === 0 ? [SINGLE_GATEWAY_NAME] : list.map((g) => g.name);
  // a gateway renamed or removed on the page: back to the route's choice
  const chosen = names.includes(picked) ? picked : '';
  const routeChoice = useRouteChoice(config, names, to);

  const doSend = () =>
    send.run(async () => {
      setResult(undefined);
      setResult(
        await post<TestSmsResult>(`/identity-providers/${encodeURIComponent(idpId!)}/test-sms`, {
          to: to.trim(),
          text,
          ...(chosen ? { gateway: chosen } : {}),
        }),
      );
    });
  const doPreview = () =>
    previewing.run(async () => {
      const gateway = gatewayNamed(config, chosen || routeChoice || names[0]!);
      setPreview(await post<SmsPreview>('/sms/preview', { config: gateway, to: to.trim() || '+94771234567', text }));
    });

  const o = result?.outcome;
  return (
    <section className="test-sms" aria-labelledby="test-sms-heading">
      <h4 id="test-sms-heading">Send test SMS</h4>
      <p className="field-help">
        Sends one message through one gateway with the <strong>saved</strong> configuration and shows the request
        (secrets masked) and the provider&apos;s answer. A test does not fail over to another gateway, and it leaves the
        gateway&apos;s circuit breaker and daily spend as they are.
        {dirty && <strong className="warn-text"> You have unsaved changes: click Update first.</strong>}
      </p>
      {/* its own error scope: the page form's would keep a field hidden as "edited since the last save" */}
      <FormErrorsProvider error={send.error ?? previewing.error}>
        <FormAlert error={send.error ?? previewing.error} fields={['to', 'gateway']} />
        {list.length > 0 && (
          <SelectField
            label="Gateway"
            name="gateway"
            error={send.error}
            value={chosen}
            onChange={setPicked}
            placeholder={`The route's first gateway${routeChoice ? ` (${routeChoice})` : ''}`}
            choices={names.map((n) => ({ value: n, label: n }))}
            help="Without a choice, the first gateway of the route a code to this number would take."
          />
        )}
        <div className="with-action">
          <TextField
            label="Mobile number"
            name="to"
            error={send.error ?? previewing.error}
            type="tel"
            value={to}
            onChange={setTo}
            placeholder="+94771234567"
            autoComplete="off"
            help="International format, with + and the country code."
          />
          <button type="button" disabled={send.busy || !idpId || !to.trim()} onClick={() => void doSend()}>
            {send.busy ? 'Sending…' : 'Send test SMS'}
          </button>
          <button type="button" className="secondary" disabled={previewing.busy} onClick={() => void doPreview()}>
            Preview request
          </button>
        </div>
      </FormErrorsProvider>
      {!idpId && <p className="muted small">Register the identity provider first; then you can send a test SMS.</p>}

      {preview && (
        <div className="result" aria-live="polite">
          <h5>Preview (nothing sent)</h5>
          <SegmentInfo text={text} />
          {preview.problems && preview.problems.length > 0 && (
            <ul className="problems">
              {preview.problems.map((p) => (
                <li key={`${p.field}${p.message}`} className={p.severity}>
                  <code>{p.field}</code> {p.message}
                </li>
              ))}
            </ul>
          )}
          {preview.request && <RequestView request={preview.request} title="The request Stepgate would send" />}
        </div>
      )}

      {result && o && (
        <div className={`result ${result.ok ? 'ok' : 'failed'}`} role="status" aria-live="polite">
          <h5>
            Test SMS{' '}
            {result.ok ? <Badge tone="good">Accepted by the provider</Badge> : <Badge tone="bad">Failed</Badge>}
          </h5>
          <dl className="outcome">
            <dt>Gateway</dt>
            <dd className="mono" data-gateway={result.gateway}>
              {result.gateway}
            </dd>
            {o.status !== undefined && (
              <>
                <dt>HTTP status</dt>
                <dd>{o.status}</dd>
              </>
            )}
            {o.messageId && (
              <>
                <dt>Message ID</dt>
                <dd>
                  <code>{o.messageId}</code>
                </dd>
              </>
            )}
            {o.code && (
              <>
                <dt>Error code</dt>
                <dd>
                  <code>{o.code}</code>
                </dd>
              </>
            )}
            {o.reason && (
              <>
                <dt>Reason</dt>
                <dd>{o.reason}</dd>
              </>
            )}
            {o.latencyMs !== undefined && (
              <>
                <dt>Time</dt>
                <dd>{o.latencyMs} ms</dd>
              </>
            )}
          </dl>
          {result.request && <RequestView request={result.request} title="Rendered request" />}
          {o.providerAnswer !== undefined && (
            <figure className="request">
              <figcaption>Provider&apos;s answer</figcaption>
              <pre>{o.providerAnswer || '(empty body)'}</pre>
            </figure>
          )}
        </div>
      )}
    </section>
  );
}
