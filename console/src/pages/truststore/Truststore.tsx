// Truststore: import the SMS provider's certificate (like keytool -importcert … -alias "Nexmo"), list, delete.
import { useRef, useState } from 'react';
import { clientProblem, del, get, itemsOf, post } from '../../api/client.ts';
import type { FieldProblem, TrustedCertificate } from '../../api/types.ts';
import { FormAlert, Saved, TextField } from '../../ui/forms.tsx';
import { formatTime, useLoad, useSubmit } from '../../ui/hooks.ts';
import { Badge, LoadError, Loading, PageHeader } from '../../ui/page.tsx';
import { problemsFor } from '../../ui/problems.ts';

/** PEM stays text; anything else (DER, JKS, PKCS#12) travels as base64 of its bytes. */
async function readCertificateFile(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.slice(0, 64));
  if (head.includes('-----BEGIN')) return new TextDecoder().decode(bytes);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function expiry(c: TrustedCertificate) {
  const end = new Date(
    typeof c.notAfter === 'string' && /^\d+$/.test(c.notAfter) ? Number(c.notAfter) : c.notAfter,
  ).getTime();
  if (Number.isNaN(end)) return null;
  if (end < Date.now()) return <Badge tone="bad">Expired</Badge>;
  if (end - Date.now() < 30 * 24 * 3600_000) return <Badge tone="warn">Expires soon</Badge>;
  return null;
}

export function Truststore() {
  const list = useLoad(
    async () => itemsOf(await get<TrustedCertificate[] | { items: TrustedCertificate[] }>('/truststore')),
    [],
  );
  const [alias, setAlias] = useState('');
  const [password, setPassword] = useState('');
  const [file, setFile] = useState<File>();
  const fileInput = useRef<HTMLInputElement>(null);
  const submit = useSubmit();
  const removal = useSubmit();

  const importCertificate = () =>
    submit.run(async () => {
      const problems: FieldProblem[] = [];
      if (!alias.trim()) problems.push({ field: 'alias', message: 'Enter an alias, for example Nexmo.' });
      if (!file) problems.push({ field: 'certificate', message: 'Choose the certificate file.' });
      if (problems.length > 0 || !file) throw clientProblem(problems);
      const certificate = await readCertificateFile(file);
      const out = await post<TrustedCertificate[] | { items: TrustedCertificate[] } | TrustedCertificate>(
        '/truststore',
        { alias: alias.trim(), certificate, ...(password ? { password } : {}) },
      );
      const added = Array.isArray(out) ? out : 'items' in out ? out.items : [out];
      setAlias('');
      setPassword('');
      setFile(undefined);
      if (fileInput.current) fileInput.current.value = '';
      list.reload();
      return `Imported ${added.map((c) => c.alias).join(', ') || 'the certificate'}.`;
    });

  const remove = (a: string) =>
    removal.run(async () => {
      if (!confirm(`Delete the certificate ${a} from the truststore? Calls to servers that need it will fail.`)) return;
      await del(`/truststore/${encodeURIComponent(a)}`);
      list.reload();
      return `Deleted ${a}.`;
    });

  const fileErrors = [...problemsFor(submit.error, 'certificate'), ...problemsFor(submit.error, 'file')];

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Security' }, { label: 'Truststore' }]}
        title="Truststore"
        lead="Certificates that Stepgate trusts for outbound HTTPS (the SMS provider) besides the system's roots — the client-truststore.jks of the guide."
      />
      <section aria-labelledby="import-heading" className="panel">
        <h2 id="import-heading">Import certificate</h2>
        <form
          className="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void importCertificate();
          }}
        >
          <FormAlert error={submit.error} fields={['alias', 'certificate', 'file', 'password']} />
          <TextField
            label="Alias"
            name="alias"
            value={alias}
            onChange={setAlias}
            error={submit.error}
            required
            placeholder="Nexmo"
          />
          <div className={`field${fileErrors.length ? ' invalid' : ''}`}>
            <label htmlFor="certificate-file">
              Certificate file
              <span className="req" aria-hidden="true">
                {' '}
                *
              </span>
            </label>
            <input
              ref={fileInput}
              id="certificate-file"
              name="certificate"
              type="file"
              accept=".pem,.crt,.cer,.der,.jks,.p12,.pfx,application/x-x509-ca-cert,application/pkix-cert"
              aria-invalid={fileErrors.length ? true : undefined}
              aria-describedby={`certificate-file-help${fileErrors.length ? ' certificate-file-error' : ''}`}
              onChange={(e) => setFile(e.target.files?.[0])}
            />
            {fileErrors.length > 0 && (
              <p className="field-error" id="certificate-file-error">
                {fileErrors.join(' ')}
              </p>
            )}
            <p className="field-help" id="certificate-file-help">
              PEM or DER certificate, or a JKS / PKCS#12 store (all its certificates are imported).
            </p>
          </div>
          <TextField
            label="Keystore password"
            name="password"
            type="password"
            value={password}
            onChange={setPassword}
            error={submit.error}
            autoComplete="off"
            help="Only for a JKS or PKCS#12 file (the guide's client-truststore.jks uses wso2carbon)."
          />
          <div className="form-actions">
            <button type="submit" disabled={submit.busy}>
              Import
            </button>
            <Saved message={submit.status} />
          </div>
        </form>
      </section>
      <section aria-labelledby="certs-heading">
        <h2 id="certs-heading">Trusted certificates</h2>
        <FormAlert error={removal.error} />
        <Saved message={removal.status} />
        {list.error ? (
          <LoadError error={list.error} retry={list.reload} />
        ) : !list.data ? (
          <Loading what="certificates" />
        ) : list.data.length === 0 ? (
          <p className="muted">No certificates imported yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Alias</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Issuer</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((c) => (
                  <tr key={c.alias}>
                    <th scope="row">{c.alias}</th>
                    <td className="wrap">{c.subject}</td>
                    <td className="wrap">{c.issuer}</td>
                    <td>
                      {formatTime(c.notAfter)} {expiry(c)}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="link-button danger"
                        aria-label={`Delete ${c.alias}`}
                        onClick={() => void remove(c.alias)}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
