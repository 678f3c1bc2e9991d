// The text of a one-time-code SMS, shared by the SMS OTP step and the console's preview (and its segment count):
// the template filled in, then, after an empty line, the Android SMS Retriever hash and the WebOTP line, which must
// be the message's last line (https://wicg.github.io/sms-one-time-codes/).

export interface OtpTextParts {
  /** with {code}, {minutes} and {application} */
  template: string;
  code: string;
  /** the code's lifetime in seconds, said in whole minutes (at least 1) */
  expirySeconds: number;
  application: string;
  /** the host of the public URL, for the WebOTP line `@host #code`; absent: no line */
  webOtpHost?: string;
  /** the 11-character hash of the application's Android app */
  androidAppHash?: string;
}

export function otpText(parts: OtpTextParts): string {
  const text = parts.template
    .replaceAll('{code}', parts.code)
    .replaceAll('{minutes}', String(Math.max(1, Math.round(parts.expirySeconds / 60))))
    .replaceAll('{application}', parts.application);
  const lines = [
    ...(parts.androidAppHash ? [parts.androidAppHash] : []),
    ...(parts.webOtpHost ? [`@${parts.webOtpHost} #${parts.code}`] : []),
  ];
  return lines.length > 0 ? `${text}\n\n${lines.join('\n')}` : text;
}

/** The template for a login's locale: the one written for it, else the default (English) template. */
export function templateFor(
  template: string,
  templates: Readonly<Record<string, string | undefined>> | undefined,
  locale: string,
): string {
  const own = templates?.[locale];
  return own !== undefined && own.trim() !== '' ? own : template;
}
