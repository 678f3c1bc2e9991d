/** The claim URIs of the local dialect that code refers to by name (same URIs as WSO2, for the seed and for exports). */
export const LOCAL_DIALECT = 'http://wso2.org/claims';
export const OIDC_DIALECT = 'http://wso2.org/oidc/claim';

export const ClaimUri = {
  username: 'http://wso2.org/claims/username',
  email: 'http://wso2.org/claims/emailaddress',
  givenName: 'http://wso2.org/claims/givenname',
  lastName: 'http://wso2.org/claims/lastname',
  mobile: 'http://wso2.org/claims/mobile',
  smsOtpDisabled: 'http://wso2.org/claims/identity/smsotp_disabled',
  accountLocked: 'http://wso2.org/claims/identity/accountLocked',
  unlockTime: 'http://wso2.org/claims/identity/unlockTime',
  failedSmsOtpAttempts: 'http://wso2.org/claims/identity/failedSmsOtpAttempts',
  backupCodes: 'http://wso2.org/claims/otpbackupcodes',
  backupCodesIdentity: 'http://wso2.org/claims/identity/otpbackupcodes',
  role: 'http://wso2.org/claims/role',
  /** WSO2 7's preferred MFA option: the option a step that offers several starts with (`idp:authenticator`) */
  preferredMfaOption: 'http://wso2.org/claims/identity/preferredMFAOption',
} as const;

/** Attributes computed from the user record rather than stored: they are read-only through claims. */
export const VIRTUAL_ATTRIBUTES: ReadonlySet<string> = new Set([
  'username',
  'accountLocked',
  'unlockTime',
  'failedSmsOtpAttempts',
  'roles',
]);

export function isBackupCodeClaim(uri: string): boolean {
  return uri === ClaimUri.backupCodes || uri === ClaimUri.backupCodesIdentity;
}
