// The presets build HTTP Basic credentials with Node's Buffer; this is the one call they make, done with browser APIs.
interface Base64Able {
  toString(encoding: 'base64'): string;
}

const holder = globalThis as unknown as { Buffer?: { from(text: string, encoding: 'utf8'): Base64Able } };

if (holder.Buffer === undefined) {
  holder.Buffer = {
    from(text: string) {
      const bytes = new TextEncoder().encode(text);
      return {
        toString() {
          let s = '';
          for (const b of bytes) s += String.fromCharCode(b);
          return btoa(s);
        },
      };
    },
  };
}
