// Where the gateway may send: refuses loopback, link-local, private and other non-public addresses (SSRF) unless allowed.
//
// The check runs twice: on an IP literal in the URL before connecting, and on every address a host name resolves to,
// inside the connection's own DNS lookup, so a name that resolves (or re-resolves) to an internal address is refused
// at the moment of connecting and nothing is sent to it.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface DestinationPolicy {
  /** true: any address may be used (development and tests, whose mock providers listen on loopback) */
  allowPrivate: boolean;
  /** host names, IP addresses or CIDR ranges (10.0.0.0/8, fd00::/8) allowed even though they are not public */
  allowList: readonly string[];
}

export const OPEN_POLICY: DestinationPolicy = { allowPrivate: true, allowList: [] };

/** The error code a refused destination carries through the connection (transport.ts turns it into a value). */
export const DESTINATION_REFUSED = 'ERR_SMS_DESTINATION_REFUSED';

// IANA special-purpose registries (RFC 6890 and successors): nothing in them is a public SMS provider.
const NOT_PUBLIC_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const NOT_PUBLIC_V6: [string, number][] = [
  ['::', 128],
  ['::1', 128],
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96], // NAT64: the embedded IPv4 may be anything
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

const notPublic = new BlockList();
for (const [net, prefix] of NOT_PUBLIC_V4) notPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of NOT_PUBLIC_V6) notPublic.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or 6to4 (2002:aabb:ccdd::) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted =
    /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4})(?::|$)/.exec(lower);
  const parts = hex ?? sixToFour;
  if (!parts) return undefined;
  const hi = Number.parseInt(parts[1] as string, 16);
  const lo = Number.parseInt(parts[2] as string, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** True for an address that is not on the public internet (loopback, private, link-local, reserved...). */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return notPublic.check(bare, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  const v4 = embeddedIpv4(bare);
  if (v4 !== undefined) return notPublic.check(v4, 'ipv4');
  return notPublic.check(bare, 'ipv6');
}

export interface DestinationGuard {
  /** undefined when the host (name or literal) may be connected to now; otherwise why not */
  refuseLiteral(hostname: string): string | undefined;
  /** the connection's DNS lookup: resolves as usual, then refuses non-public answers */
  lookup: LookupFunction | undefined;
}

/** Thrown at start-up for an allow-list entry that is neither a host name, an address nor a CIDR range. */
export class DestinationPolicyError extends Error {
  override name = 'DestinationPolicyError';
}

function allowListOf(entries: readonly string[]): { names: Set<string>; ranges: BlockList } {
  const names = new Set<string>();
  const ranges = new BlockList();
  for (const raw of entries) {
    const entry = raw
      .trim()
      .toLowerCase()
      .replace(/^\[|\]$/g, '');
    const [net = '', prefix, extra] = entry.split('/');
    const family = isIP(net);
    const max = family === 4 ? 32 : 128;
    if (family !== 0 && prefix !== undefined) {
      const bits = Number(prefix);
      if (extra !== undefined || !/^\d{1,3}$/.test(prefix) || bits > max) {
        throw new DestinationPolicyError(`sms.allowedPrivateDestinations: "${raw}" is not a CIDR range`);
      }
      ranges.addSubnet(net, bits, family === 4 ? 'ipv4' : 'ipv6');
    } else if (family !== 0) {
      ranges.addAddress(net, family === 4 ? 'ipv4' : 'ipv6');
    } else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry)) {
      names.add(entry);
    } else {
      throw new DestinationPolicyError(
        `sms.allowedPrivateDestinations: "${raw}" is not a host name, an IP address or a CIDR range`,
      );
    }
  }
  return { names, ranges };
}

export function createDestinationGuard(policy: DestinationPolicy): DestinationGuard {
  if (policy.allowPrivate) return { refuseLiteral: () => undefined, lookup: undefined };
  const allowed = allowListOf(policy.allowList);
  const addressAllowed = (address: string) => {
    const family = isIP(address);
    return family !== 0 && allowed.ranges.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
  const refusedAddress = (address: string) => isNonPublicAddress(address) && !addressAllowed(address);
  const why = (host: string, address: string) =>
    `${host} is ${host === address ? '' : `resolved to ${address}, `}a loopback, private or reserved address; ` +
    'SMS destinations must be public (set sms.allowPrivateDestinations or sms.allowedPrivateDestinations to allow it)';

  return {
    refuseLiteral(hostname) {
      const bare = hostname.replace(/^\[|\]$/g, '');
      if (allowed.names.has(bare.toLowerCase())) return undefined;
      if (isIP(bare) === 0) return undefined; // a name: checked when it is resolved
      return refusedAddress(bare) ? why(bare, bare) : undefined;
    },
    lookup(hostname, options, callback) {
      const nameAllowed = allowed.names.has(hostname.toLowerCase());
      dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, '', 0);
        const bad = nameAllowed ? undefined : addresses.find((a) => refusedAddress(a.address));
        if (bad !== undefined) {
          const refused = Object.assign(new Error(why(hostname, bad.address)), { code: DESTINATION_REFUSED });
          return callback(refused, '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        const first = addresses[0]!;
        callback(null, first.address, first.family);
      });
    },
  };
}
