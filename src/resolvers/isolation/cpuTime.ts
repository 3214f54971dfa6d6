/**
 * The CPU time a sandbox process's main thread (the one that runs resolver code) has used, which
 * the pool compares with the wall-clock time of a long call: a call that ran past 50 ms on the
 * clock may have computed for 50 ms, or waited most of that for a busy CPU.
 *
 * Hand-written: Linux keeps it in `/proc/<pid>/schedstat` (its first field, nanoseconds on the
 * CPU); the npm packages that read another process's CPU time (pidusage) read `/proc/<pid>/stat`
 * in 10 ms ticks for every thread, GC helpers included, and start `ps` on other systems.
 */
import { readFileSync } from 'node:fs';

let support: { ok: true } | { ok: false; reason: string } | undefined;

/**
 * Whether this system shows a process's CPU time (checked once, on the gateway's own process), and
 * if not why (no `/proc`, as on macOS).
 */
export function cpuTimeSupport(): { ok: true } | { ok: false; reason: string } {
  if (support) return support;
  const own = read(process.pid);
  support = typeof own === 'number' ? { ok: true } : { ok: false, reason: own };
  return support;
}

/** The main thread's CPU time of `pid` in ms; undefined when it cannot be read (the process has just ended). */
export function mainThreadCpuMs(pid: number): number | undefined {
  const ms = read(pid);
  return typeof ms === 'number' ? ms : undefined;
}

/** The CPU time in ms, or why it could not be read. */
function read(pid: number): number | string {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/schedstat`, 'latin1');
  } catch (error) {
    return (error as Error).message;
  }
  const ns = Number(text.slice(0, text.indexOf(' ')));
  return Number.isFinite(ns) && ns >= 0 ? ns / 1e6 : `/proc/${pid}/schedstat does not start with a number: ${JSON.stringify(text.slice(0, 40))}`;
}
