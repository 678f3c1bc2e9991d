// Users and Roles › Users › User Profile: the supported-by-default claims, roles, password, backup codes, and the
// user's sign-in factors with their resets (UserFactors.tsx).
import { useEffect, useState } from 'react';
import { clientProblem, get, itemsOf, post, put } from '../../api/client.ts';
import type { FieldProblem, LocalClaim, User } from '../../api/types.ts';
import { navigate } from '../../router/router.tsx';
import { CheckboxField, FormAlert, Saved, Section, ShownOnce, TextField } from '../../ui/forms.tsx';
import { formatTime, useLoad, useSubmit } from '../../ui/hooks.ts';
import { Badge, LoadError, Loading, PageHeader } from '../../ui/page.tsx';
import { deleteThen, throwIfProblems } from '../../ui/save-form.ts';
import { FormActions, SubmitForm } from '../../ui/submit-form.tsx';
import { claimErrors, claimFields, claimProblem, isBackupCodeClaim, profileClaims, rolesOf } from './claims.ts';
import { UserFactors } from './UserFactors.tsx';

export function UserProfile({ id }: { id: string }) {
  const user = useLoad(() => get<User>(`/users/${encodeURIComponent(id)}`), [id]);
  const claims = useLoad(
    async () => profileClaims(itemsOf(await get<LocalClaim[] | { items: LocalClaim[] }>('/claims?limit=200'))),
    [],
  );
  const [values, setValues] = useState<Record<string, string>>({});
  const [roles, setRoles] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [newPassword, setNewPassword] = useState('');
  const [codes, setCodes] = useState<string[]>();
  const profile = useSubmit();
  const account = useSubmit();
  const password = useSubmit();

  useEffect(() => {
    if (!user.data) return;
    const u = user.data;
    setValues(Object.fromEntries(Object.entries(u.claims ?? {}).filter(([uri]) => !isBackupCodeClaim(uri))));
    setRoles(u.roles.join(', '));
    setEnabled(u.enabled);
  }, [user.data]);

  if (user.error) return <LoadError error={user.error} retry={user.reload} />;
  if (!user.data || !claims.data) return <Loading what="the user profile" />;
  const u = user.data;
  const shown = claims.data;

  const saveProfile = () =>
    profile.run(async () => {
      const problems: FieldProblem[] = [];
      const changed: Record<string, string> = {};
      for (const c of shown) {
        if (c.readOnly) continue;
        const value = values[c.uri] ?? '';
        const before = isBackupCodeClaim(c.uri) ? '' : (u.claims?.[c.uri] ?? '');
        if (value === before) continue;
        const p = claimProblem(c, value.trim());
        if (p) problems.push({ field: `claims.${c.uri}`, message: p });
        changed[c.uri] = value.trim();
      }
      throwIfProblems(problems);
      const saved = await put<User>(`/users/${encodeURIComponent(id)}`, {
        claims: changed,
        roles: rolesOf(roles),
        enabled,
      });
      user.set(saved);
      return 'The user profile was updated.';
    });

  const generate = () =>
    account.run(async () => {
      const out = await post<{ codes: string[] }>(`/users/${encodeURIComponent(id)}/backup-codes`);
      setCodes(out.codes);
      user.reload();
    });

  const resetPassword = () =>
    password.run(async () => {
      if (!newPassword) throw clientProblem([{ field: 'password', message: 'Enter the new password.' }]);
      await post(`/users/${encodeURIComponent(id)}/password`, { password: newPassword });
      setNewPassword('');
      return 'The password was reset.';
    });

  const remove = () =>
    account.run(
      deleteThen(`/users/${encodeURIComponent(id)}`, `Delete the user ${u.username}? This cannot be undone.`, () =>
        navigate('/users'),
      ),
    );

  const claimField = (c: LocalClaim) => ({
    label: c.displayName,
    value: values[c.uri] ?? '',
    onChange: (v: string) => setValues((old) => ({ ...old, [c.uri]: v })),
    messages: claimErrors(profile.error, c.uri),
  });
  const known = ['roles', 'enabled', ...claimFields(shown)];

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Users and Roles' },
          { label: 'Users', to: '/users' },
          { label: 'List', to: '/users' },
          { label: 'User Profile' },
        ]}
        title={`User Profile: ${u.username}`}
        lead={
          <span className="badges">
            {u.locked ? (
              <Badge tone="bad">Locked{u.lockedUntil ? ` until ${formatTime(u.lockedUntil)}` : ''}</Badge>
            ) : (
              <Badge tone="good">Not locked</Badge>
            )}
            {!u.enabled && <Badge tone="warn">Disabled</Badge>}
            <span className="muted small">
              Created {formatTime(u.createdAt)} · updated {formatTime(u.updatedAt)}
            </span>
          </span>
        }
      />
      <SubmitForm label="User Profile" error={profile.error} fields={known} onSubmit={saveProfile}>
        <TextField label="Username" value={u.username} onChange={() => {}} readOnly />
        {shown.map((c) =>
          isBackupCodeClaim(c.uri) ? (
            <div key={c.uri} className="with-action">
              <TextField
                {...claimField(c)}
                placeholder={
                  u.backupCodesRemaining > 0
                    ? `${u.backupCodesRemaining} unused backup codes are set`
                    : 'No backup codes set'
                }
                help={`Write-only: type comma-separated codes (for example 10300,21390) to replace the user's backup codes. ${u.backupCodesRemaining} unused.`}
                mono
              />
              <button type="button" className="secondary" disabled={account.busy} onClick={() => void generate()}>
                Generate backup codes
              </button>
            </div>
          ) : (
            <TextField
              key={c.uri}
              {...claimField(c)}
              readOnly={c.readOnly}
              required={c.required}
              help={c.description || undefined}
            />
          ),
        )}
        <TextField
          label="Roles"
          name="roles"
          value={roles}
          onChange={setRoles}
          error={profile.error}
          help="Comma-separated; admin lets the user into this console."
        />
        <CheckboxField
          label="Account enabled"
          name="enabled"
          checked={enabled}
          onChange={setEnabled}
          error={profile.error}
        />
        <FormActions submit="Update" busy={profile.busy} status={profile.status} />
      </SubmitForm>

      {codes && (
        <ShownOnce
          title={`New backup codes for ${u.username}`}
          value={codes.join('\n')}
          onDone={() => setCodes(undefined)}
        />
      )}

      <UserFactors id={id} onChange={user.reload} />

      <Section title="Account">
        <FormAlert error={account.error} />
        <p>
          {u.locked
            ? `The account is locked${u.lockedUntil ? ` until ${formatTime(u.lockedUntil)}` : ''}.`
            : 'The account is not locked.'}{' '}
          Unlock it under Sign-in factors.
        </p>
        <div className="form-actions">
          <button type="button" className="danger" disabled={account.busy} onClick={() => void remove()}>
            Delete user
          </button>
          <Saved message={account.status} />
        </div>
      </Section>

      <Section title="Reset password">
        <SubmitForm className="form inline" error={password.error} fields={['password']} onSubmit={resetPassword}>
          <TextField
            label="New password"
            name="password"
            type="password"
            value={newPassword}
            onChange={setNewPassword}
            error={password.error}
            autoComplete="new-password"
          />
          <FormActions submit="Reset password" busy={password.busy} status={password.status} />
        </SubmitForm>
      </Section>
    </>
  );
}
