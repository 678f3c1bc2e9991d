// Runs the SAML Pickup Dispatch sample from environment variables: PICKUP_SAML_IDP (default
// http://localhost:9443), PICKUP_SAML_PORT (default 8081), PICKUP_SAML_BASE_URL, PICKUP_SAML_ENTITY_ID.
import { createPickupDispatchSaml, DEFAULT_ENTITY_ID } from './app.js';

const port = Number(process.env.PICKUP_SAML_PORT ?? '8081');
const baseUrl = process.env.PICKUP_SAML_BASE_URL ?? `http://localhost:${port}`;
const idpUrl = process.env.PICKUP_SAML_IDP ?? 'http://localhost:9443';
const app = await createPickupDispatchSaml({
  idpUrl,
  baseUrl,
  entityId: process.env.PICKUP_SAML_ENTITY_ID ?? DEFAULT_ENTITY_ID,
  logger: true,
});
await app.listen({ port, host: process.env.PICKUP_SAML_HOST ?? '127.0.0.1' });
console.log(`Pickup Dispatch (SAML) sample: ${baseUrl} (identity provider ${idpUrl}/saml2/metadata)`);
