/**
 * Stands in for the `debug` package inside the sandbox bundle: velocityjs imports it for tracing,
 * and its real code reaches for `process`, `tty` and `localStorage`, none of which the sandbox has.
 * The bundlers (src/resolvers/isolation/sandbox.ts, scripts/build.mjs) resolve `debug` here.
 */
export default function debug(): (...args: unknown[]) => void {
  return () => undefined;
}
