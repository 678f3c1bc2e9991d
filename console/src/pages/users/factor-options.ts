// The options a preferred MFA option may name, as the API writes them (idp:authenticator): the local second factors,
// each identity provider's federated authenticators, and whatever the user has now (so the select shows it).

import type { IdentityProvider } from '../../api/types.ts';
import type { Choice } from '../../ui/forms.tsx';

const LOCAL: Choice[] = [
  { value: ':totp', label: 'Authenticator app (:totp)' },
  { value: ':passkey', label: 'Passkey (:passkey)' },
];

const NAMES: Record<string, string> = { 'sms-otp': 'SMS OTP' };

export function optionChoices(providers: IdentityProvider[], current: (string | null | undefined)[]): Choice[] {
  const federated = providers.flatMap((p) =>
    p.authenticators.map((a) => ({
      value: `${p.name}:${a.type}`,
      label: `${NAMES[a.type] ?? a.type} of ${p.name} (${p.name}:${a.type})`,
    })),
  );
  const all = [...federated, ...LOCAL];
  for (const value of current) if (value && !all.some((c) => c.value === value)) all.push({ value, label: value });
  return all;
}
