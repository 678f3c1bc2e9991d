// The console's routes as path patterns, in the order they are matched: App.tsx gives each its page, and the
// layout test (test/console/layout.test.ts) visits every one of them, so a new page cannot escape it.
export const ROUTE_PATTERNS = [
  '/',
  '/identity-providers',
  '/identity-providers/new',
  '/identity-providers/:id',
  '/authenticators',
  '/applications',
  '/applications/new',
  '/applications/:id',
  '/claims',
  '/claims/new',
  '/claims/:uri',
  '/users',
  '/users/new',
  '/users/:id',
  '/truststore',
  '/audit',
  '/messages',
] as const;

export type RoutePattern = (typeof ROUTE_PATTERNS)[number];
