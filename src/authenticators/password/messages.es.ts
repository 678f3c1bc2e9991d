/** Spanish texts of the password page (passwordMessages in index.ts); an id missing here is shown in English. */
export const passwordMessagesEs: Record<string, string> = {
  'password.invalid': 'El nombre de usuario o la contraseña son incorrectos.',
  'password.missing': 'Introduzca su nombre de usuario y su contraseña.',
};
