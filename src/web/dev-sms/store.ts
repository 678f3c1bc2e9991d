// The dev SMS store: a bounded, in-memory list of the messages the mock provider received, newest first.
import { randomBytes } from 'node:crypto';

/** One message as the mock provider received it. */
export interface DevSmsMessage {
  /** Vonage-style message id (16 upper-case hex characters). */
  id: string;
  /** Destination number as Vonage reports it: digits only, no leading `+`. */
  to: string;
  from: string;
  text: string;
  /** When the mock provider accepted the message, ISO 8601. */
  receivedAt: string;
}

export interface DevSmsStore {
  readonly capacity: number;
  /** Stores a message and returns it with its id and time; drops the oldest one beyond capacity. */
  add(input: { to: string; from: string; text: string }): DevSmsMessage;
  /** Messages newest first; with `to`, only those sent to that number (with or without `+`). */
  list(filter?: { to?: string }): DevSmsMessage[];
  clear(): void;
}

export const DEFAULT_DEV_SMS_CAPACITY = 200;

/** Digits only, so `+94 77 123 4567`, `94771234567` and ` 94771234567` (a `+` decoded as a space) compare equal. */
export function normalizeNumber(value: string): string {
  return value.replace(/[^0-9]/g, '');
}

export function createDevSmsStore(capacity: number = DEFAULT_DEV_SMS_CAPACITY): DevSmsStore {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`dev SMS store capacity must be a positive integer, got ${capacity}`);
  }
  // Newest first: new messages go to the front, the oldest fall off the end.
  let messages: DevSmsMessage[] = [];
  return {
    capacity,
    add({ to, from, text }) {
      const message: DevSmsMessage = {
        id: randomBytes(8).toString('hex').toUpperCase(),
        to: normalizeNumber(to),
        from,
        text,
        receivedAt: new Date().toISOString(),
      };
      messages.unshift(message);
      if (messages.length > capacity) messages.length = capacity;
      return message;
    },
    list(filter) {
      const wanted = filter?.to === undefined ? undefined : normalizeNumber(filter.to);
      const selected = wanted === undefined ? messages : messages.filter((m) => m.to === wanted);
      return selected.map((m) => ({ ...m }));
    },
    clear() {
      messages = [];
    },
  };
}
