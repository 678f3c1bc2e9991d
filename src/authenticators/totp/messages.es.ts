/** Spanish texts of the TOTP pages (messages.ts); an id missing here is shown in English. */
import type { TotpMessageId } from './messages.js';

export const totpMessagesEs: Partial<Record<TotpMessageId, string>> = {
  'totp.code-missing': 'Introduzca el código que muestra su aplicación de autenticación.',
  'totp.invalid-code': 'El código introducido es incorrecto. Inténtelo de nuevo.',
  'totp.code-used': 'Este código ya se usó. Espere al siguiente código de su aplicación e introduzca ese.',
  'totp.too-many-attempts': 'Demasiados códigos incorrectos. Vuelva a la aplicación y empiece de nuevo.',
  'totp.locked':
    'Su cuenta está bloqueada por demasiados intentos fallidos. Inténtelo de nuevo dentro de {minutes} minutos.',
  'totp.not-enrolled':
    'No tiene ninguna aplicación de autenticación configurada y este inicio de sesión necesita una. Pida a su administrador que añada una.',
  'totp.enrol-invalid-code':
    'Ese código no coincide. Compruebe que la aplicación añadió la cuenta que se muestra aquí y que el reloj del teléfono es correcto; después introduzca el código actual.',
  'totp.enrol-expired':
    'La configuración de la aplicación tardó demasiado. Se muestra un código QR nuevo: escanéelo otra vez.',
  'totp.too-many-credentials':
    'Tiene tantas aplicaciones de autenticación como se permite. Pida a su administrador que quite una.',
  'totp.enrolled': 'Su aplicación de autenticación está configurada.',
  'totp.page.code-title': 'Introduzca su código',
  'totp.page.code-heading': 'Introduzca el código de su aplicación de autenticación',
  'totp.page.code': 'Código',
  'totp.page.code-hint':
    'Abra la aplicación de autenticación de su teléfono e introduzca el código de {digits} dígitos que muestra para esta cuenta.',
  'totp.page.enrol-title': 'Configure una aplicación de autenticación',
  'totp.page.enrol-lead': 'pide un código de una aplicación de autenticación. Añada esta cuenta a una ahora.',
  'totp.page.enrol-open':
    'Abra una aplicación de autenticación en su teléfono (por ejemplo Google Authenticator, Microsoft Authenticator, FreeOTP o 1Password) y añada una cuenta.',
  'totp.page.enrol-scan': 'Escanee este código QR:',
  'totp.page.enrol-by-hand': 'O introduzca esta clave a mano (cuenta {account}, basada en el tiempo):',
  'totp.page.open-on-device': 'Abrir en una aplicación de autenticación de este dispositivo',
  'totp.page.enrol-enter': 'Introduzca el código de {digits} dígitos que muestra ahora la aplicación.',
  'totp.page.code-from-app': 'Código de la aplicación',
  'totp.page.confirm': 'Confirmar y continuar',
};
