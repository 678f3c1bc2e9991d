/** Spanish texts of the engine's outcomes (messages.ts); an id missing here is shown in English. */
import type { EngineMessageId } from './messages.js';

export const engineMessagesEs: Partial<Record<EngineMessageId, string>> = {
  'login.expired': 'Este inicio de sesión caducó o ya se usó. Vuelva a la aplicación y empiece de nuevo.',
  'login.failed': 'No se pudo completar el inicio de sesión. Vuelva a la aplicación y empiece de nuevo.',
  'login.configuration-changed':
    'La configuración de inicio de sesión de esta aplicación cambió durante su inicio de sesión. Vuelva a la aplicación y empiece de nuevo.',
  'login.user-gone': 'Su cuenta no está disponible. Póngase en contacto con su administrador.',
  'login.method-unavailable':
    'El método de inicio de sesión que necesita esta aplicación está desactivado. Póngase en contacto con el administrador de esta aplicación.',
  'login.user-locked': 'Su cuenta está bloqueada temporalmente. Inténtelo de nuevo más tarde.',
  'login.user-mismatch': 'Los pasos de este inicio de sesión los superaron usuarios distintos. Empiece de nuevo.',
  'login.no-user':
    'Ningún paso de este inicio de sesión identificó a un usuario. Póngase en contacto con el administrador de esta aplicación.',
  'login.needs-user':
    'Este paso no puede ejecutarse antes de que un paso anterior le identifique. El administrador de esta aplicación debe poner primero Usuario y contraseña.',
  'login.no-subject':
    'Su cuenta no tiene valor para el identificador con el que esta aplicación le conoce, así que aún no puede iniciar sesión en ella. Póngase en contacto con su administrador.',
  'login.acr-unmet': 'Este inicio de sesión no alcanzó el nivel de autenticación que pidió la aplicación.',
  'login.interaction-required': 'La aplicación pidió iniciar su sesión sin mostrar ninguna página, y no fue posible.',
  'login.bad-request': 'No se pudo leer el formulario. Vuelva atrás e inténtelo de nuevo.',
};
