/**
 * `util.time` (docs/resolvers.md#util-in-detail, util.time). Formats follow Java's DateTimeFormatter
 * pattern letters; zones are IANA ids (resolved with Intl, which a bare vm context has) or fixed
 * offsets like `+08:00` or `-07:00:30`.
 *
 * Hand-written: no JS library speaks Java's pattern language, and this code must run inside the
 * sandbox without Node built-ins.
 */

/** Offset of `zone` at `epochMs`, in seconds east of UTC. */
function zoneOffsetSeconds(zone: string | undefined, epochMs: number): number {
  if (!zone || zone === 'UTC' || zone === 'Z' || zone === 'GMT') return 0;
  const fixed = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(zone);
  if (fixed) {
    const sign = fixed[1] === '-' ? -1 : 1;
    return sign * (Number(fixed[2]) * 3600 + Number(fixed[3] ?? 0) * 60 + Number(fixed[4] ?? 0));
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 1000);
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  weekday: number;
  offset: number;
}

function fieldsAt(epochMs: number, offsetSeconds: number): Fields {
  const d = new Date(epochMs + offsetSeconds * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millis: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
    offset: offsetSeconds,
  };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, '0');

function formatOffset(seconds: number, style: 'Z' | 'X' | 'XX' | 'XXX' | 'XXXX' | 'XXXXX' | 'x' | 'xx' | 'xxx'): string {
  if (seconds === 0 && style.startsWith('X')) return 'Z';
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const h = pad(Math.floor(abs / 3600), 2);
  const m = pad(Math.floor((abs % 3600) / 60), 2);
  const s = abs % 60;
  switch (style) {
    case 'X':
    case 'x':
      return `${sign}${h}${m === '00' ? '' : m}`;
    case 'XX':
    case 'xx':
    case 'Z':
      return `${sign}${h}${m}`;
    case 'XXXX':
      return `${sign}${h}${m}${s ? pad(s, 2) : ''}`;
    case 'XXXXX':
      return `${sign}${h}:${m}${s ? `:${pad(s, 2)}` : ''}`;
    default:
      return `${sign}${h}:${m}`;
  }
}

type Token = { kind: 'letters'; letter: string; count: number } | { kind: 'literal'; text: string } | { kind: 'optional'; tokens: Token[] };

function tokenize(pattern: string): Token[] {
  const stack: Token[][] = [[]];
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    const top = stack[stack.length - 1]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        top.push({ kind: 'literal', text: "'" });
        i += 2;
        continue;
      }
      top.push({ kind: 'literal', text: pattern.slice(i + 1, end < 0 ? undefined : end) });
      i = end < 0 ? pattern.length : end + 1;
    } else if (c === '[') {
      stack.push([]);
      i += 1;
    } else if (c === ']') {
      const tokens = stack.pop()!;
      stack[stack.length - 1]!.push({ kind: 'optional', tokens });
      i += 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j += 1;
      top.push({ kind: 'letters', letter: c, count: j - i });
      i = j;
    } else {
      top.push({ kind: 'literal', text: c });
      i += 1;
    }
  }
  while (stack.length > 1) {
    const tokens = stack.pop()!;
    stack[stack.length - 1]!.push({ kind: 'optional', tokens });
  }
  return stack[0]!;
}

function formatTokens(tokens: Token[], f: Fields, zoneName: string): string {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'literal') out += t.text;
    else if (t.kind === 'optional') out += formatTokens(t.tokens, f, zoneName);
    else {
      const { letter, count } = t;
      switch (letter) {
        case 'y':
        case 'u':
          out += count === 2 ? pad(f.year % 100, 2) : (f.year < 0 ? '-' : '') + pad(f.year, count);
          break;
        case 'M':
        case 'L':
          out += count >= 4 ? MONTHS[f.month - 1] : count === 3 ? MONTHS[f.month - 1]!.slice(0, 3) : pad(f.month, count);
          break;
        case 'd':
          out += pad(f.day, count);
          break;
        case 'D': {
          const dayOfYear = Math.floor((Date.UTC(f.year, f.month - 1, f.day) - Date.UTC(f.year, 0, 1)) / 86_400_000) + 1;
          out += pad(dayOfYear, count);
          break;
        }
        case 'E':
          out += count >= 4 ? DAYS[f.weekday] : DAYS[f.weekday]!.slice(0, 3);
          break;
        case 'a':
          out += f.hour < 12 ? 'AM' : 'PM';
          break;
        case 'H':
          out += pad(f.hour, count);
          break;
        case 'k':
          out += pad(f.hour === 0 ? 24 : f.hour, count);
          break;
        case 'h':
          out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, count);
          break;
        case 'K':
          out += pad(f.hour % 12, count);
          break;
        case 'm':
          out += pad(f.minute, count);
          break;
        case 's':
          out += pad(f.second, count);
          break;
        case 'S':
          out += pad(f.millis, 3).padEnd(count, '0').slice(0, count);
          break;
        case 'n':
          out += String(f.millis * 1_000_000);
          break;
        case 'Z':
          out +=
            count === 5
              ? formatOffset(f.offset, 'XXXXX')
              : count === 4
                ? `GMT${f.offset === 0 ? '' : formatOffset(f.offset, 'XXX')}`
                : formatOffset(f.offset, 'Z');
          break;
        case 'X':
          out += formatOffset(f.offset, 'X'.repeat(Math.min(count, 5)) as 'X');
          break;
        case 'x':
          out += formatOffset(f.offset, 'x'.repeat(Math.min(count, 3)) as 'x');
          break;
        case 'z':
        case 'V':
          out += zoneName;
          break;
        default:
          out += letter.repeat(count);
      }
    }
  }
  return out;
}

/** Formats `epochMs` with a Java DateTimeFormatter pattern in `zone` (default UTC). */
function formatEpoch(epochMs: number, pattern: string, zone?: string): string {
  const offset = zoneOffsetSeconds(zone, epochMs);
  const zoneName = zone && !/^[+-]/.test(zone) ? zone : offset === 0 ? 'UTC' : formatOffset(offset, 'XXX');
  return formatTokens(tokenize(pattern), fieldsAt(epochMs, offset), zoneName);
}

/**
 * Parses `text` with a Java pattern; the zone comes from the text's offset if it has one, else
 * from `zone`, else UTC. Returns epoch milliseconds, or throws with the reason.
 */
function parseWithPattern(text: string, pattern: string, zone?: string): number {
  const f = {
    year: 1970,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    millis: 0,
    pm: undefined as boolean | undefined,
    offset: undefined as number | undefined,
  };
  let pos = 0;
  const readNumber = (min: number, max: number): number => {
    const m = new RegExp(`^[+-]?\\d{${min},${max}}`).exec(text.slice(pos));
    if (!m) throw new Error(`Text '${text}' could not be parsed at index ${pos}`);
    pos += m[0].length;
    return Number(m[0]);
  };
  const walk = (tokens: Token[]): void => {
    for (const t of tokens) {
      if (t.kind === 'literal') {
        if (!text.startsWith(t.text, pos)) throw new Error(`Text '${text}' could not be parsed at index ${pos}`);
        pos += t.text.length;
      } else if (t.kind === 'optional') {
        const saved = pos;
        try {
          walk(t.tokens);
        } catch {
          pos = saved;
        }
      } else {
        const { letter, count } = t;
        switch (letter) {
          case 'y':
          case 'u':
            f.year = count === 2 ? 2000 + readNumber(2, 2) : readNumber(count, 9);
            break;
          case 'M':
            if (count >= 3) {
              const names = MONTHS.map((m) => (count === 3 ? m.slice(0, 3) : m));
              const index = names.findIndex((n) => text.startsWith(n, pos));
              if (index < 0) throw new Error(`Text '${text}' could not be parsed at index ${pos}`);
              pos += names[index]!.length;
              f.month = index + 1;
            } else f.month = readNumber(count, 2);
            break;
          case 'd':
            f.day = readNumber(count, 2);
            break;
          case 'H':
          case 'k':
            f.hour = readNumber(count, 2) % 24;
            break;
          case 'h':
          case 'K':
            f.hour = readNumber(count, 2) % 12;
            break;
          case 'a': {
            const am = text.slice(pos, pos + 2).toUpperCase();
            if (am !== 'AM' && am !== 'PM') throw new Error(`Text '${text}' could not be parsed at index ${pos}`);
            f.pm = am === 'PM';
            pos += 2;
            break;
          }
          case 'm':
            f.minute = readNumber(count, 2);
            break;
          case 's':
            f.second = readNumber(count, 2);
            break;
          case 'S': {
            const digits = /^\d+/.exec(text.slice(pos))?.[0] ?? '';
            if (digits.length < count) throw new Error(`Text '${text}' could not be parsed at index ${pos}`);
            pos += count;
            f.millis = Number(digits.slice(0, count).padEnd(3, '0').slice(0, 3));
            break;
          }
          case 'E': {
            const names = DAYS.map((d) => (count >= 4 ? d : d.slice(0, 3)));
            const index = names.findIndex((n) => text.startsWith(n, pos));
            if (index < 0) throw new Error(`Text '${text}' could not be parsed at index ${pos}`);
            pos += names[index]!.length;
            break;
          }
          case 'Z':
          case 'X':
          case 'x': {
            if (text[pos] === 'Z' && letter !== 'x') {
              f.offset = 0;
              pos += 1;
              break;
            }
            const m = /^([+-])(\d{2}):?(\d{2})?(?::?(\d{2}))?/.exec(text.slice(pos));
            if (!m) throw new Error(`Text '${text}' could not be parsed at index ${pos}`);
            pos += m[0].length;
            f.offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
            break;
          }
          default:
            throw new Error(`Pattern letter ${letter} is not supported when parsing`);
        }
      }
    }
  };
  walk(tokenize(pattern));
  if (pos !== text.length) throw new Error(`Text '${text}' could not be parsed, unparsed text found at index ${pos}`);
  if (f.pm !== undefined && f.pm) f.hour += 12;
  const local = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.millis);
  const offset = f.offset ?? zoneOffsetSeconds(zone, local - zoneOffsetSeconds(zone, local) * 1000);
  return local - offset * 1000;
}

/** ISO 8601 date-time with an offset (`2018-02-01T17:21:05.180+08:00`) to epoch ms. */
function parseIso8601(text: string): number {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?(?::?\d{2})?)?$/.exec(String(text));
  if (!m) throw new Error(`Text '${text}' could not be parsed as an ISO 8601 date-time`);
  const local = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3)),
  );
  return local - zoneOffsetSeconds(m[8] === 'Z' ? undefined : m[8], local) * 1000;
}

export function createTimeUtils() {
  const toIso = (ms: number) => new Date(ms).toISOString();
  return {
    nowISO8601: () => toIso(Date.now()),
    nowEpochSeconds: () => Math.floor(Date.now() / 1000),
    nowEpochMilliSeconds: () => Date.now(),
    nowFormatted: (format: string, timezone?: string) => formatEpoch(Date.now(), format, timezone),
    parseFormattedToEpochMilliSeconds: (time: string, format: string, timezone?: string) => parseWithPattern(String(time), format, timezone),
    parseISO8601ToEpochMilliSeconds: (date: string) => parseIso8601(date),
    epochMilliSecondsToSeconds: (epoch: number) => Math.floor(Number(epoch) / 1000),
    epochMilliSecondsToISO8601: (epoch: number) => toIso(Number(epoch)),
    epochMilliSecondsToFormatted: (epoch: number, format: string, timezone?: string) => formatEpoch(Number(epoch), format, timezone),
  };
}
