// Users and Roles › Users › Add: username, password, roles and the profile's claims.
import { useState } from 'react';
import { get, itemsOf, post } from '../../api/client.ts';
import type { FieldProblem, LocalClaim, User } from '../../api/types.ts';
import { navigate } from '../../router/router.tsx';
import { TextField } from '../../ui/forms.tsx';
import { useLoad, useSubmit } from '../../ui/hooks.ts';
import { PageHeader } from '../../ui/page.tsx';
import { throwIfProblems } from '../../ui/save-form.ts';
import { FormActions, SubmitForm } from '../../ui/submit-form.tsx';
import { claimErrors, claimFields, claimProblem, isBackupCodeClaim, profileClaims, rolesOf } from './claims.ts';

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
      throwIfProblems(problems);
      const filled = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
      const created = await post<User | { user: User }>('/users', {
        username: username.trim(),
        ...(password ? { password } : {}),
        roles: rolesOf(roles),
        claims: filled,
      });
      const user = 'user' in created ? created.user : created;
      navigate(`/users/${encodeURIComponent(user.id)}`, { replace: true });
    });

  const known = ['username', 'password', 'roles', ...claimFields(claims.data ?? [])];

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Users and Roles' }, { label: 'Users', to: '/users' }, { label: 'Add' }]}
        title="Add User"
      />
      <SubmitForm error={submit.error} fields={known} onSubmit={save}>
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
                messages={claimErrors(submit.error, c.uri)}
                help={c.description || undefined}
                required={c.required}
              />
            ))}
        </fieldset>
        <FormActions submit="Add" busy={submit.busy} noStatus />
      </SubmitForm>
    </>
  );
}
