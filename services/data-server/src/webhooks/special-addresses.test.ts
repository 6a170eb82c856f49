import { isForbiddenAddress } from './special-addresses';

/** The host of a URL as the WHATWG parser normalises it (what registration and delivery see). */
const hostOf = (url: string) => new URL(url).hostname;

describe('isForbiddenAddress', () => {
  it.each([
    ['0.0.0.0', 'this host'],
    ['0.1.2.3', 'this network'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.255', 'private 10/8'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.255', 'private 172.16/12'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.1', 'TEST-NET-1'],
    ['192.88.99.1', '6to4 relay'],
    ['192.168.1.1', 'private 192.168/16'],
    ['198.18.0.1', 'benchmarking'],
    ['198.51.100.7', 'TEST-NET-2'],
    ['203.0.113.9', 'TEST-NET-3'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback, bracketed'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'IPv4-mapped metadata'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with zone'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['100::1', 'discard-only'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'Teredo'],
    ['3fff::1', 'documentation'],
    ['localhost', 'a name, not an address'],
    ['', 'empty'],
    ['1.2.3', 'not an address'],
  ])('refuses %s (%s)', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['93.184.216.34'],
    ['100.63.255.255'], // just below carrier-grade NAT
    ['100.128.0.1'], // just above it
    ['172.15.255.255'], // just below 172.16/12
    ['172.32.0.1'], // just above it
    ['169.253.255.255'],
    ['223.255.255.255'], // the last unicast block before multicast
    ['2606:4700:4700::1111'],
    ['2a00:1450:4007:80f::200e'],
    ['::ffff:8.8.8.8'], // mapped, but to a public host
    ['2002:808:808::1'], // 6to4 of 8.8.8.8
  ])('allows the public address %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it.each([
    ['http://2130706433/', '127.0.0.1'], // decimal
    ['http://0x7f000001/', '127.0.0.1'], // hexadecimal
    ['http://0177.0.0.1/', '127.0.0.1'], // octal
    ['http://0x7f.1/', '127.0.0.1'], // mixed, short form
    ['http://127.1/', '127.0.0.1'], // short form
    ['http://0/', '0.0.0.0'],
    ['http://0xa9fea9fe/', '169.254.169.254'],
    ['http://025177524776/', '169.254.169.254'],
    ['http://3232235777/', '192.168.1.1'],
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
    ['http://[0:0:0:0:0:ffff:169.254.169.254]/', '[::ffff:a9fe:a9fe]'],
    ['http://[::1]/', '[::1]'],
    ['http://[0:0:0:0:0:0:0:1]/', '[::1]'],
    ['http://[FE80::1]/', '[fe80::1]'],
  ])('refuses %s, which the URL parser reads as %s', (url, host) => {
    expect(hostOf(url)).toBe(host);
    expect(isForbiddenAddress(hostOf(url))).toBe(true);
  });
});
