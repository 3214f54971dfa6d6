/** URL ids of the APIs one config serves (kept apart from events.ts so config/cloudformation can import it under the layering rule's path pattern). */

/**
 * The URL id of an API of the config named `name`: lower-cased, other characters as `-` (the rule
 * of a config file's API id, src/apis/registry.ts). Several Event APIs are told apart by it.
 */
export function urlIdOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'api'
  );
}
