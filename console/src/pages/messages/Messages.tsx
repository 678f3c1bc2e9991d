// Console › Messages: every SMS sent (codes and notices) with the status its provider's receipts reported, filtered
// by status, gateway, time and the last digits of the number; one message's timeline; and rates per gateway.
import { useState } from 'react';
import { get, query } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import type { Column } from '../../ui/data-table.tsx';
import { FilterField, FilterForm, localToIso, useFilterDraft } from '../../ui/filter-form.tsx';
import { formatTime } from '../../ui/hooks.ts';
import { PageHeader } from '../../ui/page.tsx';
import { usePagedList } from '../../ui/paged-list.ts';
import { PagedTable } from '../../ui/paged-table.tsx';
import { GatewayRates } from './GatewayRates.tsx';
import { MessageTimeline } from './MessageTimeline.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { MESSAGE_STATUSES, type SmsMessage } from './types.ts';

const LIMIT = 50;

interface Filter {
  status: string;
  gateway: string;
  since: string;
  destination: string;
}
const EMPTY: Filter = { status: '', gateway: '', since: '', destination: '' };

export function Messages() {
  const filter = useFilterDraft(EMPTY);
  const { draft, set } = filter;
  const [open, setOpen] = useState<string>();
  const messages = usePagedList(
    draft,
    (f, offset, limit) =>
      get<Page<SmsMessage>>(
        `/sms-messages${query({ status: f.status, gateway: f.gateway, since: localToIso(f.since), destination: f.destination, offset, limit })}`,
      ),
    LIMIT,
  );
  const columns: Column<SmsMessage>[] = [
    {
      header: 'Sent',
      rowHeader: true,
      className: 'nowrap',
      cell: (m) => (
        <button
          type="button"
          className="link-button"
          onClick={() => setOpen(m.id)}
          aria-label={`Timeline of the message to ${m.destination}`}
        >
          {formatTime(m.createdAt)}
        </button>
      ),
    },
    { header: 'To', className: 'nowrap', cell: (m) => m.destination },
    { header: 'What', cell: (m) => (m.purpose === 'otp' ? 'code' : 'notice') },
    { header: 'Gateway', cell: (m) => `${m.gateway} (${m.provider})` },
    { header: 'Status', cell: (m) => <StatusBadge status={m.status} /> },
    { header: 'Error', cell: (m) => (m.errorCode ? <code>{m.errorCode}</code> : '') },
  ];

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Monitor' }, { label: 'Messages' }]}
        title="Messages"
        lead="Every SMS sent, with the delivery status its provider reported (docs/delivery-receipts.md)."
      />
      <GatewayRates />
      <h2>Sent messages</h2>
      <FilterForm label="Filter the messages" filter={filter} onApply={messages.apply}>
        <FilterField id="messages-status" label="Status">
          <select id="messages-status" value={draft.status} onChange={set('status')}>
            <option value="">Any</option>
            {MESSAGE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </FilterField>
        <FilterField id="messages-gateway" label="Gateway">
          <input
            id="messages-gateway"
            type="search"
            value={draft.gateway}
            onChange={set('gateway')}
            placeholder="default"
          />
        </FilterField>
        <FilterField id="messages-since" label="Since">
          <input id="messages-since" type="datetime-local" value={draft.since} onChange={set('since')} />
        </FilterField>
        <FilterField id="messages-destination" label="Number ends with">
          <input
            id="messages-destination"
            inputMode="numeric"
            pattern="[0-9]{1,4}"
            maxLength={4}
            value={draft.destination}
            onChange={set('destination')}
            placeholder="4567"
          />
        </FilterField>
      </FilterForm>
      {open && <MessageTimeline id={open} onClose={() => setOpen(undefined)} />}
      <PagedTable
        paged={messages}
        what="messages"
        className="messages"
        caption="Sent messages"
        hideCaption
        columns={columns}
        rowKey={(m) => m.id}
        empty="No messages match."
      />
    </>
  );
}
