/**
 * Routes of the management API as the SDK's model gives them (`["POST", "/v1/apis/{apiId}/datasources", 200]`
 * in @aws-sdk/client-appsync's schemas): a route is its method and path pattern, matched segment by
 * segment with `{name}` segments captured (URL-decoded).
 */
export interface RouteMatch<T> {
  handler: T;
  params: Record<string, string>;
}

interface Compiled<T> {
  method: string;
  segments: string[];
  handler: T;
  pattern: string;
}

export class RouteTable<T> {
  readonly #routes: Compiled<T>[] = [];

  /** Adds `METHOD /path/{param}`. */
  add(route: string, handler: T): this {
    const [method, pattern] = route.split(' ', 2) as [string, string];
    this.#routes.push({ method, segments: pattern.split('/').slice(1), handler, pattern: route });
    return this;
  }

  /** The routes, as `METHOD /path` (for messages). */
  get patterns(): string[] {
    return this.#routes.map((r) => r.pattern);
  }

  match(method: string, path: string): RouteMatch<T> | undefined {
    const segments = path.split('/').slice(1);
    for (const route of this.#routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length; i++) {
        const want = route.segments[i]!;
        const got = segments[i]!;
        if (want.startsWith('{') && want.endsWith('}')) {
          if (got === '') {
            ok = false;
            break;
          }
          params[want.slice(1, -1)] = safeDecode(got);
        } else if (want !== got) {
          ok = false;
          break;
        }
      }
      if (ok) return { handler: route.handler, params };
    }
    return undefined;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is kept as written; it then names nothing and answers NotFound.
    return segment;
  }
}
