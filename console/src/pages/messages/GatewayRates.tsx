// Per gateway over the last days: messages sent, how many the provider reported delivered, how many codes were
// entered (conversion), and the receipt URL to paste where the provider sets it per account.
import { useState } from 'react';
import { get, query } from '../../api/client.ts';
import { DataTable } from '../../ui/data-table.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { LoadGate } from '../../ui/load-gate.tsx';
import type { GatewayRate } from './types.ts';

const DAY_MS = 86_400_000;
const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 1000) / 10} %`);

export function GatewayRates() {
  const [days, setDays] = useState(7);
  const rates = useLoad(
    () =>
      get<{ since: number; gateways: GatewayRate[] }>(
        `/sms-messages/rates${query({ since: Date.now() - days * DAY_MS })}`,
      ),
    [days],
  );
  return (
    <section aria-labelledby="rates-heading">
      <h2 id="rates-heading">Delivery per gateway</h2>
      <div className="field">
        <label htmlFor="rates-days">Period</label>
        <select id="rates-days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          <option value={1}>Last 24 hours</option>
          <option value={7}>Last 7 days</option>
          <option value={30}>Last 30 days</option>
        </select>
      </div>
      <LoadGate loaded={rates} what="rates">
        {(data) => (
          <DataTable
            caption="Delivery and conversion per gateway"
            hideCaption
            className="rates"
            rows={data.gateways}
            rowKey={(g) => `${g.idpId}/${g.gateway}`}
            empty="No SMS sent in this period."
            columns={[
              {
                header: 'Gateway',
                rowHeader: true,
                cell: (g) => (
                  <>
                    <strong>{g.gateway}</strong> <span className="muted">{g.provider}</span>
                    <div className="muted small">{g.idpName ?? g.idpId}</div>
                  </>
                ),
              },
              { header: 'Sent', cell: (g) => String(g.sent) },
              { header: 'Delivered', cell: (g) => `${g.delivered} (${percent(g.deliveryRate)})` },
              { header: 'Failed or expired', cell: (g) => String(g.failed + g.expired) },
              { header: 'Codes entered', cell: (g) => `${g.verified} of ${g.codes} (${percent(g.conversionRate)})` },
              {
                header: 'Receipt URL',
                className: 'details',
                cell: (g) => (
                  <details>
                    <summary>Show</summary>
                    <code className="receipt-url">{g.receiptUrl}</code>
                  </details>
                ),
              },
            ]}
          />
        )}
      </LoadGate>
    </section>
  );
}
