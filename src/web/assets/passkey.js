// The passkey pages: asks the browser for a passkey (navigator.credentials.get) or to make one (create) with the
// options the server put in the form's data-webauthn, and posts the result as JSON in the form's `credential` field.
// A cancelled or failed ceremony posts its error name instead, so the server can offer a new challenge. Loaded as a
// file: the CSP forbids inline scripts. Without it the page says passkeys need JavaScript.
(() => {
  const form = document.getElementById('passkey-form');
  const button = document.getElementById('passkey-start');
  if (!form || !button) return;
  if (!window.PublicKeyCredential || !navigator.credentials) return;
  document.getElementById('passkey-needs-script')?.remove();
  button.hidden = false;

  const fromB64u = (s) => {
    const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  };
  const toB64u = (buf) => {
    if (!buf) return undefined;
    let s = '';
    for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  const withIds = (list) => (list || []).map((c) => ({ ...c, id: fromB64u(c.id) }));

  const mode = form.dataset.passkey;
  // read when the button is pressed: the options are the form's, whatever it holds then
  const requestOptions = (options) =>
    mode === 'create'
      ? {
          publicKey: {
            ...options,
            challenge: fromB64u(options.challenge),
            user: { ...options.user, id: fromB64u(options.user.id) },
            excludeCredentials: withIds(options.excludeCredentials),
          },
        }
      : {
          publicKey: {
            ...options,
            challenge: fromB64u(options.challenge),
            allowCredentials: withIds(options.allowCredentials),
          },
        };

  const asJson = (cred) => {
    const r = cred.response;
    const response =
      mode === 'create'
        ? {
            clientDataJSON: toB64u(r.clientDataJSON),
            attestationObject: toB64u(r.attestationObject),
            transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
          }
        : {
            clientDataJSON: toB64u(r.clientDataJSON),
            authenticatorData: toB64u(r.authenticatorData),
            signature: toB64u(r.signature),
            userHandle: toB64u(r.userHandle),
          };
    return {
      id: cred.id,
      rawId: toB64u(cred.rawId),
      type: cred.type,
      response,
      clientExtensionResults: cred.getClientExtensionResults(),
      authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    };
  };

  let busy = false;
  button.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    button.disabled = true;
    try {
      const options = requestOptions(JSON.parse(form.dataset.webauthn || '{}'));
      const cred =
        mode === 'create' ? await navigator.credentials.create(options) : await navigator.credentials.get(options);
      document.getElementById('passkey-credential').value = JSON.stringify(asJson(cred));
    } catch (e) {
      document.getElementById('passkey-error').value = e?.name || 'Error';
    }
    form.submit();
  });
})();
