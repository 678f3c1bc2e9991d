// "Send test SMS": sends with the saved configuration and shows the rendered request and the provider's answer.
import { useState } from 'react';
import { post } from '../../api/client.ts';
import type { RenderedRequest, SmsPreview, TestSmsResult } from '../../api/types.ts';
import { FormAlert, TextField } from '../../ui/forms.tsx';
import { useSubmit } from '../../ui/hooks.ts';
import { Badge } from '../../ui/page.tsx';
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
  /** the unsaved gateway configuration, for the preview */
  gateway: Record<string, unknown>;
  /** the sample message text */
  text: string;
  dirty: boolean;
}

export function TestSms({ idpId, gateway, text, dirty }: Props) {
  const [to, setTo] = useState('');
  const [result, setResult] = useState<TestSmsResult>();
  const [preview, setPreview] = useState<SmsPreview>();
  const send = useSubmit();
  const previewing = useSubmit();

  const doSend = () =>
    send.run(async () => {
      setResult(undefined);
      setResult(
        await post<TestSmsResult>(`/identity-providers/${encodeURIComponent(idpId!)}/test-sms`, {
          to: to.trim(),
          text,
        }),
      );
    });
  const doPreview = () =>
    previewing.run(async () => {
      setPreview(await post<SmsPreview>('/sms/preview', { config: gateway, to: to.trim() || '+94771234567', text }));
    });

  const o = result?.outcome;
  return (
    <section className="test-sms" aria-labelledby="test-sms-heading">
      <h4 id="test-sms-heading">Send test SMS</h4>
      <p className="field-help">
        Sends one message through the provider with the <strong>saved</strong> configuration and shows the request
        (secrets masked) and the provider&apos;s answer.
        {dirty && <strong className="warn-text"> You have unsaved changes: click Update first.</strong>}
      </p>
      <FormAlert error={send.error ?? previewing.error} fields={['to']} />
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
