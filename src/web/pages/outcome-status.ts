/**
 * The HTTP status of each thing the engine can say, in one table: the engine says why a page is shown or why a
 * login stops (authn/engine.ts), the login pages answer with these statuses.
 */
import type { ErrorIntent, PageIntent } from '../../authn/engine.js';

export const PAGE_STATUS: Record<PageIntent, number> = {
  /** a page asks for something: the first page of a step, a reload */
  prompt: 200,
  /** the page again after input that could not be used (an empty field, a malformed number) */
  reprompt: 400,
  /** the page again after a wrong credential */
  failure: 401,
  /** the page again after a limit was reached (a resend cooldown, a send budget) */
  limit: 429,
  /** the page again because a service the step needs did not answer (the SMS gateway) */
  unavailable: 503,
};

export const ERROR_STATUS: Record<ErrorIntent, number> = {
  /** the login failed and cannot go on */
  fatal: 403,
  /** the login expired, or never existed */
  expired: 410,
  /** a submission that could not be read */
  'bad-input': 400,
};

export const pageStatus = (intent: PageIntent): number => PAGE_STATUS[intent];
export const errorStatus = (intent: ErrorIntent): number => ERROR_STATUS[intent];
