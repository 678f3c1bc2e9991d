// The authentication sequence as the console shows and edits it: steps of options, in order.
import type { AuthenticationStep, AuthenticatorInfo, SequenceOption } from '../../api/types.ts';

export function optionLabel(o: SequenceOption, authenticators?: AuthenticatorInfo[]): string {
  if (o.idp) return o.idp;
  return (
    authenticators?.find((a) => a.id === o.authenticator)?.displayName ??
    (o.authenticator === 'password' ? 'Username & Password' : o.authenticator)
  );
}

export function sequenceSummary(steps: AuthenticationStep[]): string {
  return steps.map((s, i) => `${i + 1}. ${s.options.map((o) => optionLabel(o)).join(' or ') || '—'}`).join('  ›  ');
}

export function sameOption(a: SequenceOption, b: SequenceOption): boolean {
  return a.authenticator === b.authenticator && (a.idp ?? '') === (b.idp ?? '');
}

export function move<T>(list: T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return list;
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item!);
  return copy;
}
