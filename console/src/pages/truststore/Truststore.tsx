// Truststore: import the SMS provider's certificate (like keytool -importcert … -alias "Nexmo"), list, delete.
import { type RefObject, useRef, useState } from 'react';
import { clientProblem, get, itemsOf, post } from '../../api/client.ts';
import type { FieldProblem, TrustedCertificate } from '../../api/types.ts';
import { actionsColumn, type Column, DataTable } from '../../ui/data-table.tsx';
import { FieldRow, useDescribed } from '../../ui/field-row.tsx';
import { FormAlert, Saved, TextField } from '../../ui/forms.tsx';
import { formatTime, useLoad, useSubmit } from '../../ui/hooks.ts';
import { LoadGate } from '../../ui/load-gate.tsx';
import { Badge, PageHeader } from '../../ui/page.tsx';
import { problemsFor } from '../../ui/problems.ts';
import { deleteThen } from '../../ui/save-form.ts';
import { FormActions, SubmitForm } from '../../ui/submit-form.tsx';

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

/** The file input, in the same frame as the other fields: label, error (cleared on a new choice) and help. */
function CertificateFileField({
  error,
  inputRef,
  onFile,
}: {
  error: unknown;
  inputRef: RefObject<HTMLInputElement | null>;
  onFile(file: File | undefined): void;
}) {
  const described = useDescribed({
    id: 'certificate-file',
    label: 'Certificate file',
    name: 'certificate',
    error,
    messages: problemsFor(error, 'file'),
    help: 'PEM or DER certificate, or a JKS / PKCS#12 store (all its certificates are imported).',
  });
  return (
    <FieldRow described={described} label="Certificate file" required>
      <input
        ref={inputRef}
        {...described.aria}
        name="certificate"
        type="file"
        accept=".pem,.crt,.cer,.der,.jks,.p12,.pfx,application/x-x509-ca-cert,application/pkix-cert"
        onChange={(e) => {
          described.onEdit();
          onFile(e.target.files?.[0]);
        }}
      />
    </FieldRow>
  );
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
    removal.run(
      deleteThen(
        `/truststore/${encodeURIComponent(a)}`,
        `Delete the certificate ${a} from the truststore? Calls to servers that need it will fail.`,
        () => {
          list.reload();
          return `Deleted ${a}.`;
        },
      ),
    );

  const columns: Column<TrustedCertificate>[] = [
    { header: 'Alias', rowHeader: true, cell: (c) => c.alias },
    { header: 'Subject', className: 'wrap', cell: (c) => c.subject },
    { header: 'Issuer', className: 'wrap', cell: (c) => c.issuer },
    {
      header: 'Expires',
      cell: (c) => (
        <>
          {formatTime(c.notAfter)} {expiry(c)}
        </>
      ),
    },
    actionsColumn((c) => (
      <button
        type="button"
        className="link-button danger"
        aria-label={`Delete ${c.alias}`}
        onClick={() => void remove(c.alias)}
      >
        Delete
      </button>
    )),
  ];

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Security' }, { label: 'Truststore' }]}
        title="Truststore"
        lead="Certificates that Stepgate trusts for outbound HTTPS (the SMS provider) besides the system's roots — the client-truststore.jks of the guide."
      />
      <section aria-labelledby="import-heading" className="panel">
        <h2 id="import-heading">Import certificate</h2>
        <SubmitForm
          error={submit.error}
          fields={['alias', 'certificate', 'file', 'password']}
          onSubmit={importCertificate}
        >
          <TextField
            label="Alias"
            name="alias"
            value={alias}
            onChange={setAlias}
            error={submit.error}
            required
            placeholder="Nexmo"
          />
          <CertificateFileField error={submit.error} inputRef={fileInput} onFile={setFile} />
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
          <FormActions submit="Import" busy={submit.busy} status={submit.status} />
        </SubmitForm>
      </section>
      <section aria-labelledby="certs-heading">
        <h2 id="certs-heading">Trusted certificates</h2>
        <FormAlert error={removal.error} />
        <Saved message={removal.status} />
        <LoadGate loaded={list} what="certificates">
          {(certificates) =>
            certificates.length === 0 ? (
              <p className="muted">No certificates imported yet.</p>
            ) : (
              <DataTable columns={columns} rows={certificates} rowKey={(c) => c.alias} />
            )
          }
        </LoadGate>
      </section>
    </>
  );
}
