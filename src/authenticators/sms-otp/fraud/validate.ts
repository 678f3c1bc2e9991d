/**
 * What the schema cannot say about the fraud options, checked when the configuration is saved: list entries and
 * price keys are real countries, a destination is not both allowed and blocked, caps name gateways that exist.
 */
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { FraudConfig } from './config.js';

export interface FieldProblem {
  field: string;
  message: string;
}

const countryProblem = (entry: string) =>
  !entry.startsWith('+') && !isSupportedCountry(entry) ? `"${entry}" is not a country code` : undefined;

export function fraudProblems(fraud: FraudConfig, gatewayNames: readonly string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const list of ['block', 'allow'] as const) {
    for (const [i, entry] of fraud[list].entries()) {
      const problem = countryProblem(entry);
      if (problem) problems.push({ field: `fraud.${list}[${i}]`, message: problem });
    }
  }
  for (const [i, entry] of fraud.allow.entries()) {
    if (fraud.block.includes(entry))
      problems.push({ field: `fraud.allow[${i}]`, message: `"${entry}" is in the block list too` });
  }
  for (const entry of Object.keys(fraud.spend.prices)) {
    const problem = countryProblem(entry);
    if (problem) problems.push({ field: `fraud.spend.prices.${entry}`, message: problem });
  }
  for (const name of Object.keys(fraud.spend.dailyCaps)) {
    if (!gatewayNames.includes(name))
      problems.push({ field: `fraud.spend.dailyCaps.${name}`, message: `no gateway is named "${name}"` });
  }
  const c = fraud.conversion;
  if (c.minSends > 0 && c.action === 'slow' && c.slowMax >= c.minSends)
    problems.push({
      field: 'fraud.conversion.slowMax',
      message: 'the slow rate must be lower than the minimum volume, or throttling changes nothing',
    });
  return problems;
}
