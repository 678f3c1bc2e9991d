/** Spanish texts of the passkey pages (messages.ts); an id missing here is shown in English. */
import type { PasskeyMessageId } from './messages.js';

export const passkeyMessagesEs: Partial<Record<PasskeyMessageId, string>> = {
  'passkey.missing': 'Use su llave de acceso para continuar.',
  'passkey.cancelled': 'No se usó la llave de acceso. Inténtelo de nuevo o pruebe de otra forma.',
  'passkey.refused': 'No se pudo verificar esa llave de acceso. Inténtelo de nuevo o pruebe de otra forma.',
  'passkey.expired': 'Tardó demasiado. Vuelva a usar su llave de acceso.',
  'passkey.too-many-attempts': 'Demasiados intentos con la llave de acceso. Vuelva a la aplicación y empiece de nuevo.',
  'passkey.locked':
    'Su cuenta está bloqueada por demasiados intentos fallidos. Inténtelo de nuevo dentro de {minutes} minutos.',
  'passkey.user-disabled': 'Su cuenta no está disponible. Póngase en contacto con su administrador.',
  'passkey.not-enrolled':
    'No tiene ninguna llave de acceso configurada y este inicio de sesión necesita una. Póngase en contacto con su administrador.',
  'passkey.too-many-credentials':
    'Tiene tantas llaves de acceso como se permite. Pida a su administrador que quite una.',
  'passkey.register-refused': 'No se pudo añadir la llave de acceso. Inténtelo de nuevo.',
  'passkey.page.get-title': 'Use su llave de acceso',
  'passkey.page.get-hint-identified':
    'Use la llave de acceso que configuró para esta cuenta: su dispositivo le pedirá la huella, la cara, el PIN o la llave de seguridad.',
  'passkey.page.get-hint-any':
    'Su dispositivo muestra las llaves de acceso que tiene para este sitio: elija una y confírmela con la huella, la cara, el PIN o la llave de seguridad.',
  'passkey.page.needs-script':
    'Las llaves de acceso necesitan JavaScript. Actívelo en su navegador o pruebe de otra forma.',
  'passkey.page.use': 'Usar una llave de acceso',
  'passkey.page.register-title': 'Añada una llave de acceso',
  'passkey.page.register-lead':
    'pide una llave de acceso. Añada una en este dispositivo ahora: a partir de entonces iniciará sesión con la huella, la cara, el PIN o la llave de seguridad.',
  'passkey.page.add': 'Añadir una llave de acceso',
};
