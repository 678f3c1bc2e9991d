/** Spanish texts of the fraud defence (messages.ts), spread into the SMS OTP catalogue's (../messages.es.ts). */
import type { FraudMessageId } from './messages.js';

export const fraudMessagesEs: Record<FraudMessageId, string> = {
  'sms-otp.limit.blocked':
    'No se pueden enviar códigos a este número de teléfono. Use otra forma de iniciar sesión o póngase en contacto con nosotros.',
  'sms-otp.limit.conversion':
    'Los códigos a números como el suyo están en pausa por un tiempo debido a un tráfico inusual. Inténtelo de nuevo más tarde o use otra forma de iniciar sesión.',
  'sms-otp.limit.spend-cap':
    'Hoy no podemos enviar más códigos. Inténtelo de nuevo más tarde o use otra forma de iniciar sesión.',
  'sms-otp.challenge.wrong': 'La comprobación no se superó. Deje que se ejecute de nuevo.',
  'sms-otp.challenge.missing': 'La comprobación no terminó. Deje que se ejecute de nuevo.',
  'sms-otp.challenge.expired': 'La comprobación tardó demasiado y caducó: se está ejecutando una nueva.',
  'sms-otp.challenge.replayed': 'Esa comprobación ya se usó: se está ejecutando una nueva.',
  'sms-otp.challenge.other-login': 'Esa comprobación pertenece a otro inicio de sesión: se está ejecutando una nueva.',
  'sms-otp.page.challenge-title': 'Comprobando su navegador',
  'sms-otp.page.challenge-heading': 'Un momento antes de enviar su código',
  'sms-otp.page.challenge-lead':
    'Se pidieron muchos códigos desde su red, así que su navegador hace un breve cálculo antes de que enviemos uno.',
  'sms-otp.page.challenge-working': 'Comprobando… tarda unos segundos.',
  'sms-otp.page.challenge-done': 'Listo. Enviando su código…',
  'sms-otp.page.challenge-needs-js':
    'Esta comprobación necesita JavaScript. Active JavaScript y vuelva a cargar la página, o use un código de respaldo más abajo.',
};
