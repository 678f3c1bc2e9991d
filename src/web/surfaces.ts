/** The surfaces mounted on top of the core in a running node: admin API, SCIM, console, and the dev SMS inbox when enabled. */
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../services.js';
import { adminApiPlugin } from './admin-api/index.js';
import { consolePlugin } from './console/index.js';
import { devSmsPlugin } from './dev-sms/plugin.js';
import { createDevSmsStore } from './dev-sms/store.js';
import { scimPlugin } from './scim/index.js';

export const DEV_SMS_CREDENTIALS = { apiKey: 'stepgate-dev', apiSecret: 'dev-inbox-secret' } as const;

type Mounted = { plugin: FastifyPluginAsync<Record<string, unknown>>; options?: Record<string, unknown> };

export async function mountSurfaces(services: Services): Promise<Mounted[]> {
  const list: Mounted[] = [
    // each surface registers its own prefix and error handler; they are wrapped so their option types stay precise
    { plugin: async (app) => app.register(adminApiPlugin, { services }) },
    { plugin: async (app) => app.register(scimPlugin, { services }) },
    { plugin: async (app) => app.register(consolePlugin, { services }) },
  ];
  if (services.config.devSms.enabled) {
    const store = createDevSmsStore(500);
    list.push({
      plugin: async (app) =>
        app.register(devSmsPlugin, {
          prefix: '/dev/sms',
          ...DEV_SMS_CREDENTIALS,
          store,
          receiptOrigin: services.config.publicUrl,
        }),
    });
  }
  return list;
}
