// One message: what was sent through which gateway, and each status its provider reported, oldest first.
import { get } from '../../api/client.ts';
import { formatTime, useLoad } from '../../ui/hooks.ts';
import { LoadGate } from '../../ui/load-gate.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import type { SmsMessage, TimelineEntry } from './types.ts';

export function MessageTimeline({ id, onClose }: { id: string; onClose(): void }) {
  const message = useLoad(
    () => get<SmsMessage & { timeline: TimelineEntry[] }>(`/sms-messages/${encodeURIComponent(id)}`),
    [id],
  );
  return (
    <section className="panel" aria-labelledby="timeline-heading" id="message-timeline">
      <LoadGate loaded={message} what="the message">
        {(m) => (
          <>
            <h2 id="timeline-heading">
              {m.purpose === 'otp' ? 'Code' : 'Notice'} to {m.destination} <StatusBadge status={m.status} />
            </h2>
            <dl className="facts">
              <dt>Gateway</dt>
              <dd>
                {m.gateway} ({m.provider})
              </dd>
              <dt>Provider message id</dt>
              <dd>
                <code>{m.providerMessageId ?? '–'}</code>
              </dd>
              <dt>Segments</dt>
              <dd>{m.segments}</dd>
              {m.errorCode && (
                <>
                  <dt>Error code</dt>
                  <dd>
                    <code>{m.errorCode}</code>
                  </dd>
                </>
              )}
              {m.purpose === 'otp' && (
                <>
                  <dt>Code entered</dt>
                  <dd>{m.verified ? 'yes' : 'no'}</dd>
                </>
              )}
            </dl>
            <ol className="timeline" aria-label="Status timeline">
              {m.timeline.map((t) => (
                <li key={`${t.at}-${t.providerStatus}-${t.status}`}>
                  <span className="nowrap">{formatTime(t.at)}</span> <StatusBadge status={t.status} />{' '}
                  <code>{t.providerStatus}</code>
                  {t.errorCode && <span className="muted"> error {t.errorCode}</span>}
                </li>
              ))}
            </ol>
            <button type="button" className="secondary" onClick={onClose}>
              Close
            </button>
          </>
        )}
      </LoadGate>
    </section>
  );
}
