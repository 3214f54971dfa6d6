/**
 * Unknown keys at any depth of the config are errors that name the key path and, when a known key
 * is a likely typo fix, suggest it: `resolvers.Query.post.dataSorce: unknown key; did you mean
 * "dataSource"? (expected one of …)`. A misspelt key silently ignored is how a resolver ends up
 * without its data source.
 */
import { distance } from 'fastest-levenshtein';
import { ConfigError } from '../errors.js';

/**
 * The known key a misspelt `key` most likely meant: same letters in another case, or within an
 * edit distance that grows with the key's length (as graphql-js's suggestion list does).
 */
export function didYouMean(key: string, known: Iterable<string>): string | undefined {
  const lower = key.toLowerCase();
  const threshold = Math.floor(key.length * 0.4) + 1;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase());
    if (d < bestDistance && d <= threshold && d < Math.max(key.length, candidate.length)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** What {@link unknownKeyErrors} found. */
export interface UnknownKeys {
  errors: ConfigError[];
  /** The known keys the unknown ones were suggested as: the caller's follow-on checks of them would only repeat the typo. */
  suggested: Set<string>;
}

/**
 * One error per key of `value` that is neither in `known` nor in `ignored` (keys accepted for
 * compatibility and not used, which are never suggested or listed).
 */
export function unknownKeyErrors(value: object, path: string, known: readonly string[], ignored: Iterable<string> = []): UnknownKeys {
  const ignoredSet = new Set(ignored);
  const errors: ConfigError[] = [];
  const suggested = new Set<string>();
  for (const key of Object.keys(value)) {
    if (known.includes(key) || ignoredSet.has(key)) continue;
    const suggestion = didYouMean(key, known);
    if (suggestion) suggested.add(suggestion);
    const expected = known.length === 0 ? 'this block takes no keys' : `expected one of ${known.join(', ')}`;
    errors.push(
      new ConfigError(path ? `${path}.${key}` : key, suggestion ? `unknown key; did you mean "${suggestion}"? (${expected})` : `unknown key; ${expected}`),
    );
  }
  return { errors, suggested };
}
