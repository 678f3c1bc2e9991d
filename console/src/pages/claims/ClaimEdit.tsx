// Claims › Add Local Claim / Edit: Claim URI, Display Name, Description, Mapped Attribute and the flags.
import { useEffect, useState } from 'react';
import { clientProblem, del, get, post, put } from '../../api/client.ts';
import type { FieldProblem, LocalClaim } from '../../api/types.ts';
import { navigate } from '../../router/router.tsx';
import { CheckboxField, FormAlert, NumberField, Saved, TextArea, TextField } from '../../ui/forms.tsx';
import { useLoad, useSubmit } from '../../ui/hooks.ts';
import { LoadError, Loading, PageHeader } from '../../ui/page.tsx';
import { claimPath } from './ClaimList.tsx';

type Form = Omit<LocalClaim, 'system' | 'regex' | 'displayOrder'> & { regex: string; displayOrder: number | '' };

const EMPTY: Form = {
  uri: 'http://wso2.org/claims/',
  displayName: '',
  description: '',
  mappedAttribute: '',
  supportedByDefault: false,
  required: false,
  readOnly: false,
  regex: '',
  displayOrder: '',
};
const FIELDS = [
  'uri',
  'displayName',
  'description',
  'mappedAttribute',
  'supportedByDefault',
  'required',
  'readOnly',
  'regex',
  'displayOrder',
];

function check(f: Form): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!/^[a-z][a-z0-9+.-]*:\/\/?\S+$/i.test(f.uri) || /\/$/.test(f.uri))
    out.push({ field: 'uri', message: 'Enter a claim URI such as http://wso2.org/claims/otpbackupcodes.' });
  if (!f.displayName.trim()) out.push({ field: 'displayName', message: 'Enter a display name.' });
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(f.mappedAttribute))
    out.push({ field: 'mappedAttribute', message: 'Enter an attribute name of letters, digits, "_", "-" or ".".' });
  if (f.regex) {
    try {
      new RegExp(f.regex, 'u');
    } catch {
      out.push({ field: 'regex', message: 'This is not a valid regular expression.' });
    }
  }
  return out;
}

export function ClaimEdit({ uri }: { uri?: string }) {
  const editing = uri !== undefined;
  const loaded = useLoad(async () => (uri ? get<LocalClaim>(`/claims/${encodeURIComponent(uri)}`) : undefined), [uri]);
  const [form, setForm] = useState<Form>(EMPTY);
  const [system, setSystem] = useState(false);
  const submit = useSubmit();
  useEffect(() => {
    if (loaded.data) {
      const { system: sys, regex, ...rest } = loaded.data;
      setForm({ ...rest, regex: regex ?? '' });
      setSystem(sys);
    }
  }, [loaded.data]);
  const set =
    <K extends keyof Form>(k: K) =>
    (v: Form[K]) =>
      setForm((f) => ({ ...f, [k]: v }));

  const save = () =>
    submit.run(async () => {
      const problems = check(form);
      if (problems.length > 0) throw clientProblem(problems);
      const body = {
        ...form,
        regex: form.regex || null,
        displayOrder: form.displayOrder === '' ? undefined : form.displayOrder,
      };
      if (editing) {
        const { uri: _uri, ...rest } = body;
        const saved = await put<LocalClaim>(`/claims/${encodeURIComponent(uri)}`, rest);
        loaded.set(saved);
        return `Saved ${saved.displayName}.`;
      }
      const created = await post<LocalClaim>('/claims', body);
      navigate(`${claimPath(created.uri ?? form.uri)}?added=1`, { replace: true });
      return `Added ${form.displayName}.`;
    });

  const remove = () =>
    submit.run(async () => {
      if (!uri || !confirm(`Delete the claim ${form.displayName}? Values users have for it are deleted too.`)) return;
      await del(`/claims/${encodeURIComponent(uri)}`);
      navigate('/claims');
    });

  if (editing && loaded.error) return <LoadError error={loaded.error} retry={loaded.reload} />;
  if (editing && !loaded.data) return <Loading what="the claim" />;
  const added = new URLSearchParams(location.search).get('added') === '1';

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Claims', to: '/claims' },
          { label: 'List', to: '/claims' },
          { label: editing ? 'Edit' : 'Add Local Claim' },
        ]}
        title={editing ? `Edit ${form.displayName || 'claim'}` : 'Add Local Claim'}
        lead={
          editing ? (
            <code>{form.uri}</code>
          ) : (
            'A user attribute in the local dialect, mapped to an attribute of the user store.'
          )
        }
      />
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <FormAlert error={submit.error} fields={FIELDS} />
        {added && !submit.status && <Saved message="The claim was added." />}
        <TextField
          label="Claim URI"
          name="uri"
          value={form.uri}
          onChange={set('uri')}
          error={submit.error}
          required
          readOnly={editing}
          mono
          help={editing ? 'A claim URI cannot be changed.' : 'For example http://wso2.org/claims/otpbackupcodes.'}
        />
        <TextField
          label="Display Name"
          name="displayName"
          value={form.displayName}
          onChange={set('displayName')}
          error={submit.error}
          required
        />
        <TextArea
          label="Description"
          name="description"
          value={form.description}
          onChange={set('description')}
          error={submit.error}
          rows={2}
        />
        <TextField
          label="Mapped Attribute"
          name="mappedAttribute"
          value={form.mappedAttribute}
          onChange={set('mappedAttribute')}
          error={submit.error}
          required
          mono
          help="The user store attribute that holds the value, for example postalcode."
        />
        <TextField
          label="Regular Expression"
          name="regex"
          value={form.regex}
          onChange={set('regex')}
          error={submit.error}
          mono
          help="Values must match it; leave blank for any value."
        />
        <NumberField
          label="Display Order"
          name="displayOrder"
          value={form.displayOrder}
          onChange={set('displayOrder')}
          error={submit.error}
          min={0}
          help="Where the claim appears on the user profile."
        />
        <fieldset className="checks">
          <legend>Properties</legend>
          <CheckboxField
            label="Supported by Default"
            name="supportedByDefault"
            checked={form.supportedByDefault}
            onChange={set('supportedByDefault')}
            error={submit.error}
            help="Shown on every user profile."
          />
          <CheckboxField
            label="Required"
            name="required"
            checked={form.required}
            onChange={set('required')}
            error={submit.error}
          />
          <CheckboxField
            label="Read-only"
            name="readOnly"
            checked={form.readOnly}
            onChange={set('readOnly')}
            error={submit.error}
          />
        </fieldset>
        <div className="form-actions">
          <button type="submit" disabled={submit.busy}>
            {editing ? 'Update' : 'Add'}
          </button>
          {editing && !system && (
            <button type="button" className="danger" disabled={submit.busy} onClick={() => void remove()}>
              Delete
            </button>
          )}
          <Saved message={submit.status} />
        </div>
      </form>
    </>
  );
}
