/**
 * Channel paths (docs/events.md#channels): `/namespace/seg/...`, at most five segments counting the
 * namespace, each 1-50 letters, digits or dashes; a subscription may end in `/*`, which matches
 * every channel below that path.
 */
import { LIMITS } from './protocol.js';

const SEGMENT = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$/;

/** A checked channel path. */
export interface Channel {
  /** Normalised path, with its leading slash (`/default/room/1`, `/default/*`). */
  path: string;
  /** Segments after the leading slash, the namespace first; a trailing wildcard is the last, `*`. */
  segments: string[];
  namespace: string;
  /** Ends in `/*`. */
  wildcard: boolean;
}

export type ChannelResult = { ok: true; channel: Channel } | { ok: false; message: string };

/**
 * Parses a channel path. Gateway choice: a missing leading slash is added (Amplify's
 * `events.connect('default/x')` sends the path as written). A wildcard is accepted only where
 * `allowWildcard` (subscriptions), and only as the last segment after the namespace.
 */
export function parseChannel(text: string, allowWildcard: boolean): ChannelResult {
  const path = text.startsWith('/') ? text : `/${text}`;
  const segments = path.slice(1).split('/');
  if (segments.length > LIMITS.channelSegments)
    return { ok: false, message: `Invalid channel path '${text}': a channel has at most ${LIMITS.channelSegments} segments.` };
  const last = segments.length - 1;
  for (const [i, segment] of segments.entries()) {
    if (segment === '*' && allowWildcard && i === last && i > 0) continue;
    if (!SEGMENT.test(segment)) {
      const why = segment.includes('*') ? 'a wildcard is allowed only as the last segment of a subscription' : 'segments are 1-50 letters, digits and dashes';
      return { ok: false, message: `Invalid channel path '${text}': ${why}.` };
    }
  }
  return { ok: true, channel: { path, segments, namespace: segments[0]!, wildcard: segments[last] === '*' } };
}

/**
 * The subscription keys a published channel reaches: its own path, then `<prefix>/*` for each
 * prefix from the namespace down (a channel never matches a wildcard at its own depth).
 */
export function matchingKeys(channel: Channel): string[] {
  const keys = [channel.path];
  let prefix = '';
  for (let i = 0; i < channel.segments.length - 1; i++) {
    prefix += `/${channel.segments[i]}`;
    keys.push(`${prefix}/*`);
  }
  return keys;
}
