// The send challenge's proof of work (authenticators/sms-otp/fraud/hashcash.ts): find a nonce such that
// SHA-256("<challenge>:<nonce>") starts with `bits` zero bits, then post it. SHA-256 is computed here (FIPS 180-4)
// rather than with crypto.subtle, which is missing on plain-HTTP origins and costs a promise per hash. The work runs
// in slices so the page stays responsive. Loaded as a file: the CSP forbids inline scripts.
(() => {
  const form = document.getElementById('sms-otp-challenge');
  if (!form) return;
  const status = document.getElementById('challenge-status');
  const field = document.getElementById('pow');
  const challenge = form.dataset.challenge || '';
  const bits = Number(form.dataset.bits || 0);

  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
  ]);
  const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  const W = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));

  /** SHA-256 of ASCII text; the first 32-bit word of the digest (enough for up to 32 leading zero bits). */
  function firstWord(text) {
    const length = text.length;
    const blocks = Math.ceil((length + 9) / 64);
    const bytes = new Uint8Array(blocks * 64);
    for (let i = 0; i < length; i++) bytes[i] = text.charCodeAt(i);
    bytes[length] = 0x80;
    const bitLength = length * 8;
    bytes[bytes.length - 4] = bitLength >>> 24;
    bytes[bytes.length - 3] = bitLength >>> 16;
    bytes[bytes.length - 2] = bitLength >>> 8;
    bytes[bytes.length - 1] = bitLength;
    const h = H0.slice();
    for (let b = 0; b < blocks; b++) {
      for (let t = 0; t < 16; t++) {
        const o = b * 64 + t * 4;
        W[t] = (bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3];
      }
      for (let t = 16; t < 64; t++) {
        const s0 = rotr(W[t - 15], 7) ^ rotr(W[t - 15], 18) ^ (W[t - 15] >>> 3);
        const s1 = rotr(W[t - 2], 17) ^ rotr(W[t - 2], 19) ^ (W[t - 2] >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      let [a, bb, c, d, e, f, g, hh] = h;
      for (let t = 0; t < 64; t++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = bb;
        bb = a;
        a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0;
      h[1] = (h[1] + bb) | 0;
      h[2] = (h[2] + c) | 0;
      h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0;
      h[5] = (h[5] + f) | 0;
      h[6] = (h[6] + g) | 0;
      h[7] = (h[7] + hh) | 0;
    }
    return h[0] >>> 0;
  }

  // the server accepts up to 28 bits (the configuration's maximum), so the first word of the digest decides
  const mask = bits >= 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
  if (status) status.textContent = form.dataset.workingText || '';
  let nonce = 0;
  const slice = () => {
    const until = Date.now() + 40;
    while (Date.now() < until) {
      for (let i = 0; i < 2000; i++, nonce++) {
        const candidate = nonce.toString(36);
        if ((firstWord(`${challenge}:${candidate}`) & mask) === 0) {
          field.value = candidate;
          if (status) status.textContent = form.dataset.doneText || '';
          form.submit();
          return;
        }
      }
    }
    setTimeout(slice, 0);
  };
  setTimeout(slice, 0);
})();
