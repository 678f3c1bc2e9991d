/** Spanish texts of the web layer (messages.ts); an id missing here is shown in English. */
export const webMessagesEs: Record<string, string> = {
  'login.csrf':
    'El formulario se envió sin su código de seguridad o desde otra página. Recargue la página e inténtelo de nuevo.',
  'login.too-large': 'El formulario enviado era demasiado grande.',
  'login.rate-limited': 'Demasiadas solicitudes desde su red. Espere un minuto e inténtelo de nuevo.',
  'login.internal': 'Algo salió mal de nuestro lado. Inténtelo de nuevo en un momento.',
  'login.unavailable':
    'El servicio de inicio de sesión no está disponible por un momento; no se comprobó ni cambió nada. Inténtelo de nuevo en un momento.',
  'login.already-complete':
    'Este inicio de sesión ya está completo: la aplicación tiene su respuesta. Vuelva a la aplicación para continuar.',
  'oidc.error': 'La aplicación envió una solicitud de inicio de sesión no válida.',
  'web.misdirected': 'Este servidor no responde en esta dirección. Abra {url} en su lugar.',
  'web.not-found': 'No hay ninguna página en esta dirección. Revise el enlace o vuelva a la aplicación de la que vino.',
  'logout.confirm': '¿Desea cerrar la sesión de Stepgate?',
  'logout.done': 'Se ha cerrado su sesión.',
  'logout.kept': 'Su sesión sigue abierta. Puede cerrar esta página.',
  'page.secured-by': 'Protegido por {product}',
  'page.sign-in': 'Iniciar sesión',
  'page.to-continue-to': 'para continuar en',
  'page.username': 'Nombre de usuario',
  'page.password': 'Contraseña',
  'page.continue': 'Continuar',
  'page.cancel': 'Cancelar y volver a {application}',
  'page.problem-title': 'Problema al iniciar sesión',
  'page.problem-heading': 'No pudimos iniciar su sesión',
  'page.try-again': 'Intentar de nuevo',
  'page.back': 'Volver a la aplicación',
  'page.choose-title': 'Elija cómo iniciar sesión',
  'page.choose-heading': 'Elija cómo continuar',
  'page.step-of': 'Paso {step} de su inicio de sesión en',
  'page.try-another-way': 'Probar de otra forma',
};
