// Runs the Pickup Dispatch sample from environment variables: PICKUP_ISSUER, PICKUP_CLIENT_ID,
// PICKUP_CLIENT_SECRET (optional: a public client with PKCE when absent), PICKUP_PORT (default 8080),
// PICKUP_BASE_URL (default http://localhost:<port>).
import { createPickupDispatch } from './app.js';

const issuer = process.env.PICKUP_ISSUER ?? 'http://localhost:9443';
const clientId = process.env.PICKUP_CLIENT_ID;
if (clientId === undefined || clientId === '') {
  console.error('PICKUP_CLIENT_ID is required (the client id of the Pickup Dispatch application in Stepgate).');
  process.exit(1);
}
const port = Number(process.env.PICKUP_PORT ?? '8080');
const baseUrl = process.env.PICKUP_BASE_URL ?? `http://localhost:${port}`;

const app = await createPickupDispatch({
  issuer,
  clientId,
  clientSecret: process.env.PICKUP_CLIENT_SECRET,
  baseUrl,
  logger: true,
});
await app.listen({ port, host: process.env.PICKUP_HOST ?? '127.0.0.1' });
console.log(`Pickup Dispatch sample: ${baseUrl} (identity server ${issuer})`);
