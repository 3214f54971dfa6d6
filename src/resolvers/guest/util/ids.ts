/** `util.autoId`, `autoUlid`, `autoKsuid` (docs/resolvers.md#util-in-detail), from host randomness. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** KSUID epoch: 2014-05-13T16:53:20Z. */
const KSUID_EPOCH = 1_400_000_000;

const bytesOf = (hex: string) => Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));

export function createIdUtils(randomHex: (n: number) => string) {
  return {
    /** RFC 4122 version 4, lower-case (Gateway choice in the spec). */
    autoId(): string {
      const b = bytesOf(randomHex(16));
      b[6] = (b[6]! & 0x0f) | 0x40;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
    /** 48-bit time + 80 random bits, Crockford base32, 26 characters, time-sortable. */
    autoUlid(): string {
      let t = Date.now();
      let time = '';
      for (let i = 0; i < 10; i++) {
        time = CROCKFORD[t % 32]! + time;
        t = Math.floor(t / 32);
      }
      const r = bytesOf(randomHex(10));
      let bits = 0;
      let value = 0;
      let rand = '';
      for (const byte of r) {
        value = (value << 8) | byte;
        bits += 8;
        while (bits >= 5) {
          rand += CROCKFORD[(value >> (bits - 5)) & 31];
          bits -= 5;
        }
      }
      return time + rand.slice(0, 16);
    },
    /** 4-byte timestamp + 16 random bytes in base62, 27 characters. */
    autoKsuid(): string {
      const bytes = [...[24, 16, 8, 0].map((s) => ((Math.floor(Date.now() / 1000) - KSUID_EPOCH) >>> s) & 255), ...bytesOf(randomHex(16))];
      let digits = bytes;
      let out = '';
      while (digits.some((d) => d > 0)) {
        const next: number[] = [];
        let remainder = 0;
        for (const d of digits) {
          const acc = remainder * 256 + d;
          const q = Math.floor(acc / 62);
          remainder = acc % 62;
          if (next.length || q) next.push(q);
        }
        out = BASE62[remainder] + out;
        digits = next;
      }
      return out.padStart(27, '0');
    },
  };
}
