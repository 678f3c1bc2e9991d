/** `npm start`: Stepgate, the Pickup Dispatch sample and the dev SMS inbox, on the embedded SQLite default. */
import { createPickupDispatch } from '../../examples/pickup-dispatch/src/app.js';
import { createPickupDispatchSaml } from '../../examples/pickup-dispatch-saml/src/app.js';
import type { Config } from '../config/schema.js';
import { closeGracefully, startServer } from '../main.js';
import { DEMO_ADMIN, ensurePickupDispatchSaml, PICKUP_DISPATCH, PICKUP_DISPATCH_SAML, seedDemo } from './seed.js';

export interface DemoHandle {
  stepgateUrl: string;
  pickupUrl: string;
  pickupSamlUrl: string;
  stop(): Promise<void>;
}

export async function runDemo(given: Config, print: (line: string) => void = console.log): Promise<DemoHandle> {
  // the demo's own log level (warn by default): request lines would bury the URLs and the one-time password
  const config: Config = { ...given, logLevel: given.demo.logLevel };
  const pickupUrl = `http://localhost:${config.demo.pickupPort}`;
  const pickupSamlUrl = `http://localhost:${config.demo.pickupSamlPort}`;
  let generated: string | undefined;
  const server = await startServer(config, {
    onServices: async (s) => {
      const result = await seedDemo(s, config.publicUrl, pickupUrl, config.demo.adminPassword);
      await ensurePickupDispatchSaml(s, pickupSamlUrl);
      generated = result.generatedPassword;
    },
  });
  const app = (await server.services.applications.getByName(PICKUP_DISPATCH.name))!;
  const secret = await server.services.applications.clientSecret(app.id);
  const pickup = await createPickupDispatch({
    issuer: config.publicUrl,
    clientId: app.clientId,
    ...(secret ? { clientSecret: secret } : {}),
    baseUrl: pickupUrl,
    logger: false,
  });
  await pickup.listen({ port: config.demo.pickupPort, host: config.host });
  const pickupSaml = await createPickupDispatchSaml({
    idpUrl: config.publicUrl,
    baseUrl: pickupSamlUrl,
    entityId: PICKUP_DISPATCH_SAML.issuer,
    logger: false,
  });
  await pickupSaml.listen({ port: config.demo.pickupSamlPort, host: config.host });

  // printed last, once everything listens, and framed: it is what the person at the terminal needs
  const rule = '-'.repeat(72);
  print('');
  print(rule);
  print('Stepgate demo is running:');
  print(`  Stepgate (OIDC issuer)  ${config.publicUrl}`);
  print(`  Console                 ${config.publicUrl}/console/`);
  print(`  Pickup Dispatch         ${pickupUrl}/`);
  print(`  Pickup Dispatch (SAML)  ${pickupSamlUrl}/  (IdP metadata ${config.publicUrl}/saml2/metadata)`);
  print(`  SMS inbox               ${config.publicUrl}/dev/sms/`);
  print(`  Log in as               ${DEMO_ADMIN.username} (mobile ${DEMO_ADMIN.mobile})`);
  if (generated) print(`  Password (shown once)   ${generated}`);
  else if (!config.demo.adminPassword)
    print('  Password                as printed on the first run (or reset it: npx tsx src/cli.ts user passwd admin)');
  else print('  Password                from STEPGATE_ADMIN_PASSWORD');
  print(`  Data folder             ${config.dataDir}`);
  // requests are logged one line each at debug (web/app.ts)
  const requestsLogged = config.logLevel === 'debug';
  print(
    requestsLogged
      ? `  Request log             on (level ${config.logLevel})`
      : `  Request log             off (level ${config.logLevel}); STEPGATE_DEMO__LOG_LEVEL=debug shows requests`,
  );
  print('Press Ctrl-C to stop.');
  print(rule);
  print('');

  return {
    stepgateUrl: config.publicUrl,
    pickupUrl,
    pickupSamlUrl,
    async stop() {
      await closeGracefully(pickupSaml);
      await closeGracefully(pickup);
      await server.stop();
    },
  };
}
