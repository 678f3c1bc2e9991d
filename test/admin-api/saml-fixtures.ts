/** SAML service provider fixtures for the configuration suites: a real self-signed certificate and SP metadata XML. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh self-signed certificate (PEM) and its private key, made by openssl. */
export function selfSignedCertificate(cn: string): { certificate: string; privateKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'stepgate-saml-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-days',
        '30',
        '-subj',
        `/CN=${cn}`,
      ],
      { stdio: 'ignore' },
    );
    return {
      certificate: readFileSync(join(dir, 'c.pem'), 'utf8'),
      privateKey: readFileSync(join(dir, 'k.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The base64 body of a PEM certificate, as metadata carries it in ds:X509Certificate. */
export const base64Of = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

export interface MetadataOptions {
  entityId: string;
  /** [binding suffix, location, index, isDefault?] */
  acs: ['HTTP-POST' | 'HTTP-Redirect' | 'HTTP-Artifact', string, number, boolean?][];
  slo?: { binding: 'HTTP-Redirect' | 'HTTP-POST'; location: string; responseLocation?: string };
  signing?: string;
  encryption?: string;
  nameIdFormats?: string[];
  authnRequestsSigned?: boolean;
}

/** An SP's EntityDescriptor as SP software writes it (md: and ds: prefixes, like node-saml and Shibboleth do). */
export function spMetadata(o: MetadataOptions): string {
  const key = (use: string, pem: string) =>
    `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n${base64Of(pem)
      .match(/.{1,64}/g)!
      .join('\n')}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${o.entityId}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"${
    o.authnRequestsSigned !== undefined ? ` AuthnRequestsSigned="${o.authnRequestsSigned}"` : ''
  } WantAssertionsSigned="true">
    ${o.signing ? key('signing', o.signing) : ''}
    ${o.encryption ? key('encryption', o.encryption) : ''}
    ${
      o.slo
        ? `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${o.slo.binding}" Location="${o.slo.location}"${
            o.slo.responseLocation ? ` ResponseLocation="${o.slo.responseLocation}"` : ''
          }/>`
        : ''
    }
    ${(o.nameIdFormats ?? []).map((f) => `<md:NameIDFormat>${f}</md:NameIDFormat>`).join('\n    ')}
    ${o.acs
      .map(
        ([binding, location, index, isDefault]) =>
          `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="${location}" index="${index}"${
            isDefault !== undefined ? ` isDefault="${isDefault}"` : ''
          }/>`,
      )
      .join('\n    ')}
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
}
