/**
 * `Fn::Cidr` as CloudFormation computes it: `count` consecutive blocks of `2^cidrBits` addresses,
 * from the start of `ipBlock` (IPv4 or IPv6). Written by hand: the arithmetic is a few lines on
 * BigInt, and the npm CIDR libraries do not split a block this way.
 */

/** The blocks, or a message saying why there are none (the caller names the template path). */
export function cidrBlocks(ipBlock: string, count: number, cidrBits: number): string[] | string {
  const slash = ipBlock.indexOf('/');
  const prefix = Number(ipBlock.slice(slash + 1));
  const v6 = ipBlock.includes(':');
  const width = v6 ? 128 : 32;
  const address = slash > 0 ? (v6 ? parseV6(ipBlock.slice(0, slash)) : parseV4(ipBlock.slice(0, slash))) : undefined;
  if (address === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > width || !/^\d+$/.test(ipBlock.slice(slash + 1)))
    return `${JSON.stringify(ipBlock)} is not a CIDR block (e.g. 10.0.0.0/16 or 2001:db8::/56)`;
  if (!Number.isInteger(count) || count < 1 || count > 256) return `the count must be 1 to 256, got ${count}`;
  if (!Number.isInteger(cidrBits) || cidrBits < 1 || cidrBits > width - prefix)
    return `cidrBits must be 1 to ${width - prefix} for a /${prefix} block (the bits of each subnet's host part), got ${cidrBits}`;
  const subnetPrefix = width - cidrBits;
  if (BigInt(count) > 1n << BigInt(subnetPrefix - prefix))
    return `a /${prefix} block holds ${1n << BigInt(subnetPrefix - prefix)} subnets of /${subnetPrefix}, not ${count}`;
  const start = (address >> BigInt(width - prefix)) << BigInt(width - prefix);
  const size = 1n << BigInt(cidrBits);
  return Array.from({ length: count }, (_, i) => `${(v6 ? formatV6 : formatV4)(start + BigInt(i) * size)}/${subnetPrefix}`);
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
}

function formatV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 255n)).join('.');
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatV6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}
