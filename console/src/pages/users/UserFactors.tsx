// The user profile's sign-in factors: the mobile number and SMS OTP (the guide's Disable SMSOTP), authenticator apps,
// passkeys, backup codes, the preferred MFA option and the lock, each with its reset. Every reset asks first, goes
// through the admin API (which audits it and, for another user's factors, tells them by SMS) and reloads the summary.
import { useEffect, useState } from 'react';
import type { UserFactorsJson } from '../../../../src/web/admin-api/routes/factors-schemas.ts';
import { del, get, itemsOf, post, put } from '../../api/client.ts';
import type { IdentityProvider } from '../../api/types.ts';
import { FormAlert, Saved, Section, SelectField, ShownOnce } from '../../ui/forms.tsx';
import { formatTime, useLoad, useSubmit } from '../../ui/hooks.ts';
import { Badge, LoadError, Loading } from '../../ui/page.tsx';
import { optionChoices } from './factor-options.ts';

const SMS_OTP_DISABLED = 'http://wso2.org/claims/identity/smsotp_disabled';

/** A confirmed action: asks `question`, then runs it; a declined one does nothing. */
const confirmed = (question: string, action: () => Promise<unknown>) => async () => {
  if (!confirm(question)) return;
  return action();
};

export function UserFactors({ id, onChange }: { id: string; onChange(): void }) {
  const path = `/users/${encodeURIComponent(id)}`;
  const factors = useLoad(() => get<UserFactorsJson>(`${path}/factors`), [id]);
  const providers = useLoad(
    async () => itemsOf(await get<IdentityProvider[] | { items: IdentityProvider[] }>('/identity-providers?limit=200')),
    [],
  );
  const reset = useSubmit();
  const preference = useSubmit();
  const [codes, setCodes] = useState<string[]>();
  const [preferred, setPreferred] = useState('');

  useEffect(() => setPreferred(factors.data?.preferredOption.option ?? ''), [factors.data]);

  if (factors.error) return <LoadError error={factors.error} retry={factors.reload} />;
  if (!factors.data) return <Loading what="the sign-in factors" />;
  const f = factors.data;

  /** Runs a reset, then reloads the factors and the profile; its result is the status line. */
  const run = (question: string, action: () => Promise<unknown>, done: string) =>
    reset.run(
      confirmed(question, async () => {
        await action();
        factors.reload();
        onChange();
        return done;
      }),
    );

  const smsOff = () =>
    run(
      f.smsOtp.disabled
        ? `Turn SMS OTP back on for ${f.username}?`
        : `Turn SMS OTP off for ${f.username} (the Disable SMSOTP claim)?`,
      () => put(path, { claims: { [SMS_OTP_DISABLED]: f.smsOtp.disabled ? 'false' : 'true' } }),
      f.smsOtp.disabled ? 'SMS OTP is on again.' : 'SMS OTP is off for this user.',
    );

  const regenerate = () =>
    reset.run(
      confirmed(`Replace ${f.username}'s backup codes with 10 new ones? The old ones stop working.`, async () => {
        const out = await post<{ codes: string[] }>(`${path}/backup-codes`);
        setCodes(out.codes);
        factors.reload();
        onChange();
      }),
    );

  const savePreference = () =>
    preference.run(async () => {
      await put(`${path}/preferred-option`, { option: preferred });
      factors.reload();
      onChange();
      return preferred ? 'The preferred option was saved.' : 'The preferred option was removed.';
    });

  const choices = optionChoices(providers.data ?? [], [f.preferredOption.option, f.preferredOption.lastChosen]);

  return (
    <Section title="Sign-in factors" id="factors">
      <FormAlert error={reset.error} />
      <Saved message={reset.status} />

      <h3>Mobile number and SMS OTP</h3>
      <p>
        {f.mobile ? (
          <>
            Mobile number <strong className="mono">{f.mobile}</strong>.{' '}
          </>
        ) : (
          'No mobile number. '
        )}
        SMS OTP is {f.smsOtp.disabled ? <Badge tone="warn">off (Disable SMSOTP)</Badge> : <Badge tone="good">on</Badge>}
      </p>
      <div className="form-actions">
        <button type="button" className="secondary" disabled={reset.busy} onClick={() => void smsOff()}>
          {f.smsOtp.disabled ? 'Turn SMS OTP on' : 'Turn SMS OTP off'}
        </button>
      </div>

      <h3>Authenticator apps</h3>
      {f.totp.length === 0 ? (
        <p className="muted">No authenticator app.</p>
      ) : (
        <ul className="factor-list" aria-label="Authenticator apps">
          {f.totp.map((app) => (
            <li key={app.id}>
              <strong>{app.label}</strong> — enrolled {formatTime(app.createdAt)}, last used{' '}
              {app.lastUsedAt ? formatTime(app.lastUsedAt) : 'never'} ({app.digits} digits, {app.periodSeconds} s){' '}
              <button
                type="button"
                className="danger"
                aria-label={`Remove the authenticator app ${app.label}`}
                disabled={reset.busy}
                onClick={() =>
                  void run(
                    `Remove the authenticator app "${app.label}" of ${f.username}? Its codes stop working at once.`,
                    () => del(`${path}/totp/${encodeURIComponent(app.id)}`),
                    `The authenticator app ${app.label} was removed.`,
                  )
                }
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}

      <h3>Passkeys</h3>
      {f.passkeys.length === 0 ? (
        <p className="muted">No passkey.</p>
      ) : (
        <ul className="factor-list" aria-label="Passkeys">
          {f.passkeys.map((key) => (
            <li key={key.id}>
              <strong>{key.label}</strong> — created {formatTime(key.createdAt)}, last used{' '}
              {key.lastUsedAt ? formatTime(key.lastUsedAt) : 'never'},{' '}
              {key.backedUp ? 'backed up (synced)' : 'not backed up (this device only)'}{' '}
              <button
                type="button"
                className="danger"
                aria-label={`Revoke the passkey ${key.label}`}
                disabled={reset.busy}
                onClick={() =>
                  void run(
                    `Revoke the passkey "${key.label}" of ${f.username}? It stops working at once.`,
                    () => del(`${path}/passkeys/${encodeURIComponent(key.id)}`),
                    `The passkey ${key.label} was revoked.`,
                  )
                }
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}

      <h3>Backup codes</h3>
      <p>
        <strong>{f.backupCodes.remaining}</strong> unused backup code{f.backupCodes.remaining === 1 ? '' : 's'}.
      </p>
      <div className="form-actions">
        <button type="button" className="secondary" disabled={reset.busy} onClick={() => void regenerate()}>
          Regenerate backup codes
        </button>
        <button
          type="button"
          className="danger"
          disabled={reset.busy || f.backupCodes.remaining === 0}
          onClick={() =>
            void run(
              `Remove every backup code of ${f.username}?`,
              () => del(`${path}/backup-codes`),
              'The backup codes were removed.',
            )
          }
        >
          Clear backup codes
        </button>
      </div>
      {codes && (
        <ShownOnce
          title={`New backup codes for ${f.username}`}
          value={codes.join('\n')}
          onDone={() => setCodes(undefined)}
        />
      )}

      <h3>Preferred MFA option</h3>
      <FormAlert error={preference.error} fields={['option']} />
      <div className="with-action">
        <SelectField
          label="Preferred MFA option"
          name="option"
          value={preferred}
          onChange={setPreferred}
          choices={choices}
          placeholder="None: the user's last choice"
          error={preference.error}
          help={`A step that offers several options starts with this one; the user can still switch. Last choice: ${
            f.preferredOption.lastChosen ?? 'none'
          }.`}
        />
        <button type="button" className="secondary" disabled={preference.busy} onClick={() => void savePreference()}>
          Save preference
        </button>
      </div>
      <Saved message={preference.status} />

      <h3>Lock</h3>
      <p>
        {f.locked ? (
          <Badge tone="bad">Locked{f.lockedUntil ? ` until ${formatTime(f.lockedUntil)}` : ''}</Badge>
        ) : (
          <Badge tone="good">Not locked</Badge>
        )}
      </p>
      <div className="form-actions">
        <button
          type="button"
          className="secondary"
          disabled={reset.busy || !f.locked}
          onClick={() =>
            void run(
              `Unlock ${f.username} and reset their failure counters?`,
              () => post(`${path}/unlock`),
              'The account was unlocked.',
            )
          }
        >
          Unlock
        </button>
      </div>
    </Section>
  );
}
