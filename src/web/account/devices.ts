/**
 * Records the device and address of each application session as it signs in (oidc-provider's
 * `authorization.success`, which sees the request), for the Sessions page: oidc-provider keeps neither.
 */
import type Provider from 'oidc-provider';
import { DEVICE_TTL_MS, type DeviceRecord, deviceKey } from '../../account/app-sessions.js';
import type { StateStore } from '../../state/state-store.js';

interface AuthorizationContext {
  ip?: string;
  get(header: string): string;
  oidc?: { session?: { uid?: string } };
}

export function recordDevices(provider: Provider, state: StateStore): () => void {
  const listener = (ctx: AuthorizationContext) => {
    const uid = ctx.oidc?.session?.uid;
    if (!uid) return;
    const record: DeviceRecord = {
      userAgent: String(ctx.get('user-agent') ?? '').slice(0, 256),
      ip: ctx.ip ?? '',
      at: Date.now(),
    };
    // the latest sign-in of the session names its device; a failed write only leaves the device unnamed
    void state
      .delete(deviceKey(uid))
      .then(() => state.create(deviceKey(uid), record, DEVICE_TTL_MS))
      .catch(() => undefined);
  };
  provider.on('authorization.success', listener);
  return () => void provider.off('authorization.success', listener);
}
