// Users and Roles › Users › Add: username, password, roles and the profile's claims.
import { useState } from 'react';
import { ApiError, clientProblem, get, itemsOf, post } from '../../api/client.ts';
import type { FieldProblem, LocalClaim, User } from '../../api/types.ts';
import { navigate } from '../../router/router.tsx';
import { FormAlert, TextField } from '../../ui/forms.tsx';
import { useLoad, useSubmit } from '../../ui/hooks.ts';
import { PageHeader } from '../../ui/page.tsx';
import { claimProblem, isBackupCodeClaim, isClaimField, profileClaims } from './claims.ts';

export function UserAdd() {
  const claims = useLoad(
    async () => profileClaims(itemsOf(await get<LocalClaim[] | { items: LocalClaim[] }>('/claims?limit=200'))),
    [],
  );
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const submit = useSubmit();

  const save = () =>
    submit.run(async () => {
      const problems: FieldProblem[] = [];
      if (!username.trim()) problems.push({ field: 'username', message: 'Enter a username.' });
      for (const c of claims.data ?? []) {
        const p = claimProblem(c, values[c.uri] ?? '');
        if (p) problems.push({ field: `claims.${c.uri}`, message: p });
      }
      if (problems.length > 0) throw clientProblem(problems);
      const filled = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
      const created = await post<User | { user: User }>('/users', {
        username: username.trim(),
        ...(password ? { password } : {}),
        roles: roles
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
        claims: filled,
      });
      const user = 'user' in created ? created.user : created;
      navigate(`/users/${encodeURIComponent(user.id)}`, { replace: true });
    });

  const claimErrors = (uri: string) =>
    submit.error instanceof ApiError
      ? (submit.error.problem.errors ?? []).filter((e) => isClaimField(e.field, uri)).map((e) => e.message)
      : [];
  const known = [
    'username',
    'password',
    'roles',
    ...(claims.data ?? []).flatMap((c) => [`claims.${c.uri}`, `claims[${c.uri}]`, c.uri]),
  ];

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Users and Roles' }, { label: 'Users', to: '/users' }, { label: 'Add' }]}
        title="Add User"
      />
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <FormAlert error={submit.error} fields={known} />
        <TextField
          label="Username"
          name="username"
          value={username}
          onChange={setUsername}
          error={submit.error}
          required
          autoComplete="off"
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          error={submit.error}
          autoComplete="new-password"
          help="Leave blank to create the user without a password (they cannot sign in until one is set)."
        />
        <TextField
          label="Roles"
          name="roles"
          value={roles}
          onChange={setRoles}
          error={submit.error}
          help="Comma-separated; admin lets the user into this console."
          placeholder="admin"
        />
        <fieldset className="group">
          <legend>User Profile</legend>
          {(claims.data ?? [])
            .filter((c) => !c.readOnly)
            .map((c) => (
              <TextField
                key={c.uri}
                label={c.displayName}
                type={isBackupCodeClaim(c.uri) ? 'password' : 'text'}
                value={values[c.uri] ?? ''}
                onChange={(v) => setValues((old) => ({ ...old, [c.uri]: v }))}
                messages={claimErrors(c.uri)}
                help={c.description || undefined}
                required={c.required}
              />
            ))}
        </fieldset>
        <div className="form-actions">
          <button type="submit" disabled={submit.busy}>
            Add
          </button>
        </div>
      </form>
    </>
  );
}
