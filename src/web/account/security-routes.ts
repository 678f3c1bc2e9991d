/**
 * The Security page and its changes: the mobile number (a code to the new number, a notice to the old), SMS codes
 * on or off (the Disable SMSOTP claim), authenticator apps, passkeys and backup codes, one module each. Every change
 * passes the rules of account/rules.ts first (fresh sign-in, two-factor session, last factor), is audited, and tells
 * the user by SMS. A change answers 303 back to a page (POST/redirect/GET); a refusal or bad input answers 4xx with
 * the page and why.
 */
import type { FastifyInstance } from 'fastify';
import { backupCodeRoutes } from './backup-code-routes.js';
import type { AccountContext } from './context.js';
import { mobileRoutes } from './mobile-routes.js';
import { passkeyRoutes } from './passkey-routes.js';
import { createSecurityKit } from './security-page.js';
import { totpRoutes } from './totp-routes.js';

export { formOf } from './security-page.js';

export function securityRoutes(app: FastifyInstance, ctx: AccountContext): void {
  const kit = createSecurityKit(ctx);
  app.get('/account/', async (req, reply) => {
    const signed = await ctx.signedIn(req);
    if (!signed) return reply.redirect(ctx.reauthUrl(), 303);
    const q = req.query as Record<string, unknown>;
    return kit.securityPage(reply, 200, signed, typeof q.done === 'string' ? { done: q.done } : {});
  });
  mobileRoutes(app, ctx, kit);
  totpRoutes(app, ctx, kit);
  passkeyRoutes(app, ctx, kit);
  backupCodeRoutes(app, ctx, kit);
}
