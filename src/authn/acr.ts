/** amr and acr from the methods a login passed: two different factor kinds make it multi-factor. */
export const ACR = {
  oneFactor: 'urn:stepgate:acr:1fa',
  twoFactors: 'urn:stepgate:acr:2fa',
} as const;

const FACTOR: Record<string, 'knowledge' | 'possession' | 'inherence'> = {
  pwd: 'knowledge',
  pin: 'knowledge',
  kba: 'knowledge',
  sms: 'possession',
  otp: 'possession',
  hwk: 'possession',
  swk: 'possession',
  tel: 'possession',
  fpt: 'inherence',
  face: 'inherence',
};

export function summarise(methods: string[]): { amr: string[]; acr: string } {
  const amr = [...new Set(methods.filter((m) => m !== 'mfa'))];
  const kinds = new Set(amr.map((m) => FACTOR[m]).filter(Boolean));
  // a key (a passkey) that verified its user (PIN or biometric, amr `user`) is two factors on its own (NIST 800-63B
  // multi-factor cryptographic authenticator); `user` beside anything else adds nothing
  if (amr.includes('user') && (amr.includes('hwk') || amr.includes('swk'))) kinds.add('knowledge');
  if (kinds.size >= 2) return { amr: [...amr, 'mfa'], acr: ACR.twoFactors };
  return { amr, acr: ACR.oneFactor };
}
