/**
 * Outbound callbacks (portal webhooks) without server-side request forgery.
 *
 * Two checks, at two times:
 * - When a case is submitted (`checkWebhookUrl`): the URL's origin must be one the submitting portal client
 *   registered, https in production, without credentials, and not an IP literal in a refused range.
 * - When a delivery connects (`postCallback`): the host name is resolved and every address checked; the socket then
 *   connects to exactly the address that was checked (the check runs inside the connection's own `lookup`), so a DNS
 *   answer that changes between check and connect (DNS rebinding) cannot reach an internal address. Redirects are
 *   never followed: `http.request` does not follow them, and a 3xx is reported as a failed delivery.
 *
 * Refused: loopback, private (RFC 1918, IPv6 ULA), link-local, cloud metadata addresses, CGNAT (RFC 6598),
 * multicast, unspecified, documentation, benchmarking and reserved ranges, and IPv6 forms that embed an IPv4
 * address (mapped, NAT64, 6to4, Teredo) when the embedded address is refused or cannot be checked. A client
 * registered with `allowPrivateCallbacks` (tests, an on-premises portal) may use them.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { BlockList } from 'node:net';

export type RefusalCategory =
  | 'metadata'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'reserved'
  | 'not-an-address';

const ranges: [RefusalCategory, string, number, 'ipv4' | 'ipv6'][] = [
  // Metadata first: more specific than the link-local and CGNAT ranges that hold them.
  ['metadata', '169.254.169.254', 32, 'ipv4'], // AWS, GCP, Azure, OpenStack
  ['metadata', '100.100.100.200', 32, 'ipv4'], // Alibaba Cloud
  ['metadata', 'fd00:ec2::254', 128, 'ipv6'], // AWS over IPv6
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['cgnat', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['reserved', '192.0.2.0', 24, 'ipv4'], // documentation
  ['reserved', '192.88.99.0', 24, 'ipv4'], // 6to4 relay anycast
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'], // benchmarking
  ['reserved', '198.51.100.0', 24, 'ipv4'], // documentation
  ['reserved', '203.0.113.0', 24, 'ipv4'], // documentation
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'], // includes 255.255.255.255
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['reserved', '100::', 64, 'ipv6'], // discard-only
  ['reserved', '2001:db8::', 32, 'ipv6'], // documentation
  ['reserved', '2001::', 32, 'ipv6'], // Teredo: embeds an IPv4 address we cannot check as such
  ['reserved', '2002::', 16, 'ipv6'], // 6to4: likewise
  ['reserved', '64:ff9b:1::', 48, 'ipv6'], // local-use NAT64
  ['private', 'fc00::', 7, 'ipv6'], // unique local addresses
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['reserved', 'fec0::', 10, 'ipv6'], // deprecated site-local
  ['multicast', 'ff00::', 8, 'ipv6'],
];

const lists = new Map<RefusalCategory, BlockList>();
for (const [category, address, prefix, family] of ranges) {
  const list = lists.get(category) ?? new BlockList();
  list.addSubnet(address, prefix, family);
  lists.set(category, list);
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) or NAT64 (64:ff9b::/96) form. */
function embeddedIpv4(ipv6: string): string | undefined {
  const groups = expandIpv6(ipv6);
  if (!groups) return undefined;
  const prefix = groups.slice(0, 6);
  const isMapped = prefix.every((g, i) => (i < 5 ? g === 0 : g === 0xffff));
  const isCompatible = prefix.every((g) => g === 0) && (groups[6] !== 0 || groups[7]! > 1);
  const isNat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (!isMapped && !isCompatible && !isNat64) return undefined;
  const [hi, lo] = [groups[6]!, groups[7]!];
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** Eight 16-bit groups of an IPv6 address (with a trailing dotted IPv4 part converted), or undefined. */
function expandIpv6(ip: string): number[] | undefined {
  let s = ip.split('%')[0]!.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    s = `${s.slice(0, -v4[1]!.length)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? h.length !== 8 : missing < 1) return undefined;
  const groups = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** Why a connection to this IP address is refused, or undefined when it is a public unicast address. */
export function classifyAddress(ip: string): RefusalCategory | undefined {
  const family = net.isIP(ip);
  if (family === 0) return 'not-an-address';
  if (family === 6) {
    const inner = embeddedIpv4(ip);
    if (inner) return classifyAddress(inner);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const bare = family === 6 ? ip.split('%')[0]! : ip;
  for (const [category, list] of lists) if (list.check(bare, type)) return category;
  return undefined;
}

export interface CallbackRegistration {
  /** Origins (`https://portal.example.cn`) the client registered for its callbacks. */
  callbackOrigins: string[];
  allowPrivateCallbacks: boolean;
}

const stripBrackets = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

function originOf(raw: string): string | undefined {
  try {
    return new URL(raw).origin;
  } catch {
    return undefined;
  }
}

/**
 * Why `url` cannot be a case's webhook for this client, or undefined when it can (the caller answers 422). The
 * reason never repeats the URL. `client` undefined means the caller is not a registered portal client.
 */
export function checkWebhookUrl(url: string, client: CallbackRegistration | null | undefined, opts: { production: boolean }): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'webhookUrl is not a valid URL';
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && !opts.production)) {
    return opts.production ? 'webhookUrl must use https' : 'webhookUrl must use http or https';
  }
  if (u.username || u.password) return 'webhookUrl must not carry credentials';
  if (!client) return 'only a registered portal client can receive webhooks';
  const allowed = client.callbackOrigins.map(originOf).filter((o): o is string => o !== undefined && o !== 'null');
  if (!allowed.includes(u.origin)) return 'webhookUrl is not under a callback origin registered for this portal client';
  const host = stripBrackets(u.hostname);
  if (net.isIP(host) && !client.allowPrivateCallbacks) {
    const category = classifyAddress(host);
    if (category) return `webhookUrl points to a ${category} address`;
  }
  return undefined;
}

/** A refused target: deterministic, so a delivery must not be retried. */
export class CallbackRefusedError extends Error {
  constructor(readonly category: RefusalCategory) {
    super(`the callback host resolves to a ${category} address`);
    this.name = 'CallbackRefusedError';
  }
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `http.request`: resolves, refuses the whole name if any of its addresses is refused (an attacker
 * can mix a public and an internal record and let the connection pick), and hands the checked addresses to the
 * socket, which connects to one of them and nothing else.
 */
export function guardedLookup(opts: { allowPrivate: boolean; resolver?: Resolver }) {
  const resolve = opts.resolver ?? systemResolver;
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = addresses.filter((a) => !family || a.family === family);
        if (usable.length === 0) return callback(Object.assign(new Error(`no address for the callback host`), { code: 'ENOTFOUND' }), '', 0);
        if (!opts.allowPrivate) {
          for (const a of usable) {
            const category = classifyAddress(a.address);
            if (category) return callback(new CallbackRefusedError(category), '', 0);
          }
        }
        if (options.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

export interface CallbackOptions {
  allowPrivate: boolean;
  resolver?: Resolver;
  timeoutMs?: number;
}

/**
 * POSTs `body` to `url`, connecting only to checked addresses and never following a redirect. Resolves with the
 * HTTP status of the answer (3xx included); rejects with CallbackRefusedError for a refused target, and with the
 * network error otherwise.
 */
export function postCallback(url: string, body: string, headers: Record<string, string>, opts: CallbackOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const host = stripBrackets(u.hostname);
    // An IP literal never goes through `lookup`: check it here.
    if (net.isIP(host) && !opts.allowPrivate) {
      const category = classifyAddress(host);
      if (category) return reject(new CallbackRefusedError(category));
    }
    const request = (u.protocol === 'https:' ? https : http).request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(opts) as unknown as net.LookupFunction,
        // A fresh connection per delivery: a pooled socket would skip the lookup, and with it the check.
        agent: false,
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        res.resume(); // the answer's body is not read: only its status matters
        // A 3xx comes back as it is (the caller counts it as a failed delivery): its Location is never requested.
        resolve(res.statusCode ?? 0);
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('the callback did not answer in time'), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
    request.end(body);
  });
}
