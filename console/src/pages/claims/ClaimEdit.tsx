// Claims › Add Local Claim / Edit: Claim URI, Display Name, Description, Mapped Attribute and the flags.
import { useEffect, useState } from 'react';
import { get, post, put } from '../../api/client.ts';
import type { FieldProblem, LocalClaim } from '../../api/types.ts';
import { navigate } from '../../router/router.tsx';
import { CheckboxField, NumberField, Saved, TextArea, TextField } from '../../ui/forms.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { LoadError, Loading, PageHeader } from '../../ui/page.tsx';
import { deleteThen, useSaveForm } from '../../ui/save-form.ts';
import { FormActions, SubmitForm } from '../../ui/submit-form.tsx';
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
  const { form, setForm, field, checkbox, save: saveWith, submit } = useSaveForm(EMPTY, check);
  const [system, setSystem] = useState(false);
  useEffect(() => {
    if (loaded.data) {
      const { system: sys, regex, ...rest } = loaded.data;
      setForm({ ...rest, regex: regex ?? '' });
      setSystem(sys);
    }
  }, [loaded.data, setForm]);

  const save = () =>
    saveWith(async () => {
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
    submit.run(
      deleteThen(
        uri && `/claims/${encodeURIComponent(uri)}`,
        `Delete the claim ${form.displayName}? Values users have for it are deleted too.`,
        () => navigate('/claims'),
      ),
    );

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
      <SubmitForm error={submit.error} fields={FIELDS} onSubmit={save}>
        {added && !submit.status && <Saved message="The claim was added." />}
        <TextField
          label="Claim URI"
          {...field('uri')}
          required
          readOnly={editing}
          mono
          help={editing ? 'A claim URI cannot be changed.' : 'For example http://wso2.org/claims/otpbackupcodes.'}
        />
        <TextField label="Display Name" {...field('displayName')} required />
        <TextArea label="Description" {...field('description')} rows={2} />
        <TextField
          label="Mapped Attribute"
          {...field('mappedAttribute')}
          required
          mono
          help="The user store attribute that holds the value, for example postalcode."
        />
        <TextField
          label="Regular Expression"
          {...field('regex')}
          mono
          help="Values must match it; leave blank for any value."
        />
        <NumberField
          label="Display Order"
          {...field('displayOrder')}
          min={0}
          help="Where the claim appears on the user profile."
        />
        <fieldset className="checks">
          <legend>Properties</legend>
          <CheckboxField
            label="Supported by Default"
            {...checkbox('supportedByDefault')}
            help="Shown on every user profile."
          />
          <CheckboxField label="Required" {...checkbox('required')} />
          <CheckboxField label="Read-only" {...checkbox('readOnly')} />
        </fieldset>
        <FormActions
          submit={editing ? 'Update' : 'Add'}
          busy={submit.busy}
          status={submit.status}
          onDelete={editing && !system ? remove : undefined}
        />
      </SubmitForm>
    </>
  );
}
