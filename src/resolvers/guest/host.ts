/**
 * Services the host gives the sandbox. Each returns primitives only, so no host object (and
 * therefore no host `Function` constructor) ever becomes reachable from resolver code.
 */
export interface SandboxHost {
  /** `n` cryptographically random bytes as a lower-case hex string. */
  randomHex(n: number): string;
  /** Forwards `console.log` / `console.error` from resolver code to the gateway logger. */
  log(level: 'log' | 'error' | 'warn' | 'info' | 'debug', message: string): void;
}
