/** Spanish texts of the SMS OTP pages (messages.ts); an id missing here is shown in English. */
import { fraudMessagesEs } from './fraud/messages.es.js';
import type { SmsOtpMessageId } from './messages.js';

export const smsOtpMessagesEs: Partial<Record<SmsOtpMessageId, string>> = {
  'sms-otp.user-not-found':
    'Usuario no encontrado en el directorio. No se puede continuar sin la autenticación por SMS OTP.',
  'sms-otp.disabled': 'Active el SMS OTP en su perfil. No se puede continuar sin la autenticación por SMS OTP.',
  'sms-otp.no-mobile':
    'Actualice el número de móvil en su perfil. No se puede continuar sin un número de móvil para el SMS OTP.',
  'sms-otp.bad-mobile':
    'El número de móvil de su perfil no puede recibir un código. Actualice el número de móvil en su perfil.',
  'sms-otp.user-disabled': 'Su cuenta no está disponible. Póngase en contacto con su administrador.',
  'sms-otp.locked':
    'Su cuenta está bloqueada por demasiados intentos fallidos. Inténtelo de nuevo dentro de {minutes} minutos.',
  'sms-otp.code-missing': '¡Introduzca el código!',
  'sms-otp.invalid-code': 'El código introducido es incorrecto. Inténtelo de nuevo.',
  'sms-otp.expired': 'El código introducido ha caducado.',
  'sms-otp.too-many-attempts': 'Demasiados códigos incorrectos: este código ya no sirve.',
  'sms-otp.code-dead': 'Este código ya no sirve.',
  'sms-otp.send-failed': 'No se pudo enviar el código a su número de teléfono. Inténtelo de nuevo.',
  'sms-otp.send-timeout':
    'El envío del código tarda más de lo habitual. Si llega, introdúzcalo abajo; si no, pida un código nuevo.',
  'sms-otp.resent': 'Enviamos un código nuevo a {maskedMobile}.',
  'sms-otp.resend-wait': 'Podrá pedir un código nuevo dentro de {seconds} segundos.',
  'sms-otp.resend-disabled': 'El envío de un código nuevo no está habilitado.',
  'sms-otp.limit.per-login':
    'Ha pedido demasiados códigos en este inicio de sesión. Use el último código que enviamos o empiece de nuevo más tarde.',
  'sms-otp.limit.per-number': 'Se enviaron demasiados códigos a este número de teléfono. Inténtelo de nuevo más tarde.',
  'sms-otp.limit.per-account': 'Se enviaron demasiados códigos para su cuenta. Inténtelo de nuevo más tarde.',
  'sms-otp.limit.per-ip': 'Se pidieron demasiados códigos desde su red. Inténtelo de nuevo más tarde.',
  'sms-otp.limit.global': 'Ahora no podemos enviar más códigos. Inténtelo de nuevo más tarde.',
  'sms-otp.limit.hint':
    'Modo de desarrollo: el límite de envío alcanzado es {setting} ({value}). Cámbielo en la consola en {where}, o como {setting} de la configuración de SMS OTP en un archivo de configuración. El modo de producción no muestra esta nota.',
  'sms-otp.country-not-allowed': 'No se pueden enviar códigos a números de teléfono de este país.',
  'sms-otp.limit.number-type':
    'No se pueden enviar códigos a este tipo de número (como los de tarificación especial). Actualice el número de móvil en su perfil.',
  'sms-otp.mobile-missing': '¡Introduzca el número de móvil!',
  'sms-otp.mobile-invalid': 'Introduzca un número de móvil válido con su código de país, por ejemplo +94 77 123 4567.',
  'sms-otp.mobile-pattern': '{patternMessage}',
  'sms-otp.page.title': 'Introduzca su código',
  'sms-otp.page.heading': 'Autenticación con SMS OTP',
  'sms-otp.page.enter-code': 'Introduzca el código enviado a su teléfono móvil',
  'sms-otp.page.code': 'Código',
  'sms-otp.page.code-or-backup': 'Código (o un código de respaldo)',
  'sms-otp.page.valid-for': 'El código es válido durante {minutes} minuto(s) más.',
  'sms-otp.page.did-not-get': '¿No recibió el código?',
  'sms-otp.page.resend': 'Reenviar código',
  'sms-otp.page.capture-title': 'Introduzca su número de móvil',
  'sms-otp.page.capture-heading': 'Introduzca su número de teléfono móvil',
  'sms-otp.page.capture-lead': 'Le enviaremos un código para terminar de iniciar sesión en',
  'sms-otp.page.capture-saved': 'Se guarda en su perfil cuando introduzca ese código.',
  'sms-otp.page.mobile': 'Número de móvil',
  'sms-otp.page.country-hint-default': 'Incluya el código de país si su número no es de {country}.',
  'sms-otp.page.country-hint': 'Incluya el código de país, por ejemplo +94 77 123 4567.',
  'sms-otp.page.send': 'Enviar código',
  'sms-otp.page.not-sent-title': 'Código no enviado',
  'sms-otp.page.not-sent-heading': 'No pudimos enviar su código',
  'sms-otp.page.to': 'a',
  'sms-otp.page.reference': 'Referencia: {detail}',
  'sms-otp.page.backup-label': 'O introduzca un código de respaldo',
  'sms-otp.page.backup-continue': 'Continuar con un código de respaldo',
  'sms-otp.page.can-ask-now': 'Ya puede pedir un código nuevo.',
  'sms-otp.page.last-code-dead': 'El último código enviado a {maskedMobile} ya no sirve.',
  'sms-otp.page.backup-instead': 'Puede introducir un código de respaldo en lugar de uno nuevo.',
  'sms-otp.delivery-failed': 'La red móvil informa de que el código enviado a {maskedMobile} no se pudo entregar.',
  'sms-otp.delivery-failed.other-ways': 'Use una de las opciones de abajo: un código nuevo irá por otra ruta.',
  'sms-otp.page.no-new-code-backup':
    'No se pueden enviar más códigos en este inicio de sesión: introduzca un código de respaldo o vuelva a {application} y empiece de nuevo.',
  'sms-otp.page.no-new-code':
    'No se pueden enviar más códigos en este inicio de sesión: vuelva a {application} y empiece de nuevo.',
  ...fraudMessagesEs,
};
