/**
 * The SMS OTP configuration's gateways in failover order with their circuit breakers and, for a gateway with a daily
 * spend cap, today's spend against it, as every node sees them (GET /identity-providers/{id}/gateways/status):
 * read-only, reloaded on demand.
 */
import { get } from '../api/client.ts';
import { useLoad } from '../ui/hooks.ts';
import { Badge } from '../ui/page.tsx';

interface GatewayStatus {
  name: string;
  provider: string;
  failoverOnTimeout: boolean;
  state: 'closed' | 'open' | 'half-open';
  failures: number;
  openUntil: number | null;
  /** null: no daily spend cap for this gateway (its spend is not counted) */
  spend: { spent: number; cap: number; day: string } | null;
}

interface GatewaysStatus {
  breaker: { failures: number; windowSeconds: number; coolDownSeconds: number };
  gateways: GatewayStatus[];
}

const TONE = { closed: 'good', open: 'bad', 'half-open': 'warn' } as const;
const WORDS = { closed: 'in use', open: 'skipped', 'half-open': 'next send is a trial' } as const;

/** Amounts in the price table's unit, without the float noise of summed prices (0.1 + 0.2). */
const amount = (n: number) => String(Number(n.toFixed(6)));

function Spend({ spend }: { spend: NonNullable<GatewayStatus['spend']> }) {
  // warn from 80 %: the operator still has the day to raise the cap before logins fail over or stop
  const tone = spend.spent >= spend.cap ? 'bad' : spend.spent >= spend.cap * 0.8 ? 'warn' : 'good';
  return (
    <>
      <Badge tone={tone}>
        {amount(spend.spent)} / {amount(spend.cap)}
      </Badge>{' '}
      <span className="small muted">{spend.spent >= spend.cap ? 'cap reached: skipped' : `UTC ${spend.day}`}</span>
    </>
  );
}

export function GatewayStatusPanel({ idpId }: { idpId: string }) {
  const status = useLoad(
    () => get<GatewaysStatus>(`/identity-providers/${encodeURIComponent(idpId)}/gateways/status`),
    [idpId],
  );
  const { data } = status;
  const capped = data?.gateways.some((g) => g.spend !== null) ?? false;
  return (
    <section className="subsection gateway-status" aria-labelledby="gateway-status-title">
      <h4 id="gateway-status-title">Gateway status</h4>
      {status.error !== undefined && <p className="small muted">The gateway status could not be read.</p>}
      {data && (
        <>
          <p className="small muted">
            {data.breaker.failures === 0
              ? 'The circuit breaker is off.'
              : `A gateway that fails ${data.breaker.failures} times within ${data.breaker.windowSeconds} s is skipped for ${data.breaker.coolDownSeconds} s, then tried once.`}
          </p>
          {/* in a table-wrap: at phone width each row becomes a card that names its values */}
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Gateway</th>
                  <th>Provider</th>
                  <th>Breaker</th>
                  <th>Failures in window</th>
                  {capped && <th>Spent today / cap</th>}
                </tr>
              </thead>
              <tbody>
                {data.gateways.map((g) => (
                  <tr key={g.name} data-gateway={g.name} data-state={g.state}>
                    <td className="mono" data-label="Gateway">
                      {g.name}
                    </td>
                    <td data-label="Provider">{g.provider}</td>
                    <td data-label="Breaker">
                      <Badge tone={TONE[g.state]}>{g.state}</Badge>{' '}
                      <span className="small muted">{WORDS[g.state]}</span>
                      {g.openUntil !== null && (
                        <span className="small muted"> until {new Date(g.openUntil).toLocaleTimeString()}</span>
                      )}
                    </td>
                    <td data-label="Failures in window">{g.failures}</td>
                    {capped && (
                      <td data-label="Spent today / cap" className="spend">
                        {g.spend ? <Spend spend={g.spend} /> : <span className="small muted">no cap</span>}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <button type="button" className="secondary" disabled={status.loading} onClick={status.reload}>
        Refresh
      </button>
    </section>
  );
}
