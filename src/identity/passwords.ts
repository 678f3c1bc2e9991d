/** Password hashing with argon2id; parameters live in each hash, so older hashes are recognised and upgraded at login. */
import { hash, verify } from '@node-rs/argon2';

export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/** NIST: verify the whole password; reject absurd lengths before hashing to avoid a cheap denial of service. */
export const MAX_PASSWORD_BYTES = 1024;

export function createPasswordHasher(params: Argon2Params) {
  const options = {
    algorithm: 2 /* Argon2id */,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  };
  let dummy: Promise<string> | undefined;
  // hashes and verifications running now (argon2 runs on libuv's threads): the metrics' argon2 queue gauge
  let inFlight = 0;
  const counted = async <T>(work: () => Promise<T>): Promise<T> => {
    inFlight += 1;
    try {
      return await work();
    } finally {
      inFlight -= 1;
    }
  };
  return {
    hash(password: string): Promise<string> {
      return counted(() => hash(password.normalize('NFKC'), options));
    },
    async verify(stored: string, password: string): Promise<boolean> {
      if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return false;
      try {
        return await counted(() => verify(stored, password.normalize('NFKC')));
      } catch {
        return false;
      }
    },
    /** Burns the same time as a real verification, so an unknown user answers like a wrong password. */
    async verifyDummy(password: string): Promise<false> {
      dummy ??= hash('stepgate-dummy-password', options);
      const known = await dummy;
      await counted(() => verify(known, password.slice(0, MAX_PASSWORD_BYTES)));
      return false;
    },
    inFlight: (): number => inFlight,
    needsRehash(stored: string): boolean {
      const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
      if (!m) return true;
      return (
        Number(m[1]) !== params.memoryKiB || Number(m[2]) !== params.iterations || Number(m[3]) !== params.parallelism
      );
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;

export function checkPasswordPolicy(password: string): string | undefined {
  if ([...password].length < 8) return 'must be at least 8 characters';
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return `must be at most ${MAX_PASSWORD_BYTES} bytes`;
  return undefined;
}
