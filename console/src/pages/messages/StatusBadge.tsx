// A message status as a badge: delivered good, failed and expired bad, the rest neutral.
import { Badge } from '../../ui/page.tsx';
import type { MessageStatus } from './types.ts';

const TONE: Record<MessageStatus, 'neutral' | 'good' | 'warn' | 'bad'> = {
  accepted: 'neutral',
  delivered: 'good',
  failed: 'bad',
  expired: 'bad',
  unknown: 'warn',
};

export function StatusBadge({ status }: { status: MessageStatus }) {
  return <Badge tone={TONE[status]}>{status}</Badge>;
}
