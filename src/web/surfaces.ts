/** The optional surfaces mounted on top of the core: admin API, SCIM, console, and the dev SMS inbox when enabled. */
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../services.js';
import { devSmsPlugin } from './dev-sms/plugin.js';
import { createDevSmsStore } from './dev-sms/store.js';

export const DEV_SMS_CREDENTIALS = { apiKey: 'stepgate-dev', apiSecret: 'dev-inbox-secret' } as const;

type Mounted = { plugin: FastifyPluginAsync<Record<string, unknown>>; options?: Record<string, unknown> };

export async function mountSurfaces(services: Services): Promise<Mounted[]> {
  const list: Mounted[] = [];
  if (services.config.devSms.enabled) {
    const store = createDevSmsStore(500);
    list.push({
      plugin: async (app) => {
        await app.register(devSmsPlugin, { prefix: '/dev/sms', ...DEV_SMS_CREDENTIALS, store });
      },
    });
  }
  return list;
}
