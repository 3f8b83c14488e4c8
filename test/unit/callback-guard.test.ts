/**
 * The SSRF guard of webhook deliveries (infra/net/callback-guard.ts), without traffic off the machine: addresses are
 * classified as literals, names go through a resolver stub, and the only connections made are to loopback receivers
 * of this test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallbackRefusedError, checkWebhookUrl, classifyAddress, guardedLookup, postCallback, type Resolver } from '../../infra/net/callback-guard';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fc00::1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['2001:db8::1', 'reserved'],
    // IPv6 forms that carry an IPv4 address are judged by that address.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['2002:7f00:1::1', 'reserved'],
    ['not-an-ip', 'not-an-address'],
  ])('%s is refused as %s', (ip, category) => {
    expect(classifyAddress(ip)).toBe(category);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2400:3200::1', '::ffff:8.8.8.8', '64:ff9b::808:808'])('%s is public', (ip) => {
    expect(classifyAddress(ip)).toBeUndefined();
  });
});

describe('checkWebhookUrl (at intake)', () => {
  const client = { callbackOrigins: ['https://portal.example.cn', 'http://127.0.0.1:8080'], allowPrivateCallbacks: false };
  const dev = { production: false };
  const prod = { production: true };

  it('accepts a URL under a registered origin', () => {
    expect(checkWebhookUrl('https://portal.example.cn/hooks/onestop?x=1', client, prod)).toBeUndefined();
    expect(checkWebhookUrl('https://PORTAL.example.cn:443/h', client, prod)).toBeUndefined();
  });

  it.each([
    ['https://evil.example.cn/h', 'not under a callback origin'],
    ['https://portal.example.cn.evil.cn/h', 'not under a callback origin'],
    ['https://portal.example.cn:8443/h', 'not under a callback origin'],
    ['http://portal.example.cn/h', 'not under a callback origin'],
    ['https://user:pw@portal.example.cn/h', 'credentials'],
    ['ftp://portal.example.cn/h', 'http or https'],
    ['not a url', 'not a valid URL'],
  ])('refuses %s', (url, reason) => {
    expect(checkWebhookUrl(url, client, dev)).toContain(reason);
  });

  it('refuses http in production, even under a registered origin', () => {
    expect(checkWebhookUrl('http://127.0.0.1:8080/h', { ...client, allowPrivateCallbacks: true }, prod)).toBe('webhookUrl must use https');
  });

  it('refuses a registered private IP literal unless the registration allows private callbacks', () => {
    expect(checkWebhookUrl('http://127.0.0.1:8080/h', client, dev)).toBe('webhookUrl points to a loopback address');
    expect(checkWebhookUrl('http://127.0.0.1:8080/h', { ...client, allowPrivateCallbacks: true }, dev)).toBeUndefined();
  });

  it('refuses a caller that is not a registered client', () => {
    expect(checkWebhookUrl('https://portal.example.cn/h', undefined, prod)).toContain('registered portal client');
  });
});

describe('guardedLookup (at connect time)', () => {
  const stub =
    (table: Record<string, string[]>): Resolver =>
    async (name) =>
      (table[name] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const lookup = (resolver: Resolver, allowPrivate = false, all = false) =>
    new Promise<{ err: Error | null; address: unknown }>((resolve) =>
      guardedLookup({ allowPrivate, resolver })('portal.test', { all }, (err, address) => resolve({ err, address })),
    );

  it('hands a public address to the socket', async () => {
    expect((await lookup(stub({ 'portal.test': ['203.119.1.1'] }))).address).toBe('203.119.1.1');
    expect((await lookup(stub({ 'portal.test': ['203.119.1.1', '2400:3200::1'] }), false, true)).address).toEqual([
      { address: '203.119.1.1', family: 4 },
      { address: '2400:3200::1', family: 6 },
    ]);
  });

  it.each([
    [['169.254.169.254'], 'metadata'],
    [['10.0.0.5'], 'private'],
    [['::1'], 'loopback'],
    // One internal record among public ones refuses the name: the socket could otherwise pick it.
    [['203.119.1.1', '127.0.0.1'], 'loopback'],
  ])('refuses a name resolving to %j (%s)', async (addresses, category) => {
    const { err } = await lookup(stub({ 'portal.test': addresses }));
    expect(err).toBeInstanceOf(CallbackRefusedError);
    expect((err as CallbackRefusedError).category).toBe(category);
  });

  it('lets a registration that allows private callbacks through', async () => {
    expect((await lookup(stub({ 'portal.test': ['127.0.0.1'] }), true)).address).toBe('127.0.0.1');
  });

  it('a name that does not resolve is a network error, not a refusal', async () => {
    const { err } = await lookup(stub({}));
    expect(err).not.toBeInstanceOf(CallbackRefusedError);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});

describe('postCallback', () => {
  let hits: { path: string; body: string }[] = [];
  let target: http.Server;
  let redirector: http.Server;
  let targetPort = 0;
  let redirectPort = 0;

  beforeAll(async () => {
    target = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        hits.push({ path: req.url ?? '', body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetPort = (target.address() as AddressInfo).port;
    redirector = http.createServer((_req, res) => res.writeHead(307, { location: `http://127.0.0.1:${targetPort}/stolen` }).end());
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    redirectPort = (redirector.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => target.close(r));
    await new Promise((r) => redirector.close(r));
  });
  beforeEach(() => {
    hits = [];
  });

  const localName: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];

  it('delivers to a loopback receiver only when the registration allows private callbacks', async () => {
    await expect(postCallback(`http://127.0.0.1:${targetPort}/hook`, '{"a":1}', { 'content-type': 'application/json' }, { allowPrivate: true })).resolves.toBe(204);
    expect(hits).toEqual([{ path: '/hook', body: '{"a":1}' }]);
    await expect(postCallback(`http://127.0.0.1:${targetPort}/hook`, '{}', {}, { allowPrivate: false })).rejects.toThrow(CallbackRefusedError);
    expect(hits).toHaveLength(1);
  });

  it('connects to the address it checked: a name resolving to loopback is refused before any connection', async () => {
    await expect(postCallback(`http://portal.test:${targetPort}/hook`, '{}', {}, { allowPrivate: false, resolver: localName })).rejects.toMatchObject({
      category: 'loopback',
    });
    expect(hits).toHaveLength(0);
    // The same name with a registration that allows it reaches the receiver through the stubbed resolution.
    await expect(postCallback(`http://portal.test:${targetPort}/hook`, '{}', {}, { allowPrivate: true, resolver: localName })).resolves.toBe(204);
    expect(hits).toHaveLength(1);
  });

  it.each(['http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://10.0.0.1:5432/', 'http://[::ffff:127.0.0.1]:1/'])(
    'refuses %s without connecting',
    async (url) => {
      await expect(postCallback(url, '{}', {}, { allowPrivate: false })).rejects.toThrow(CallbackRefusedError);
    },
  );

  it('does not follow a redirect: the 3xx comes back, the Location is never requested', async () => {
    await expect(postCallback(`http://127.0.0.1:${redirectPort}/hook`, '{}', {}, { allowPrivate: true })).resolves.toBe(307);
    expect(hits).toHaveLength(0);
  });
});
