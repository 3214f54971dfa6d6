// Loaded with `--import` into a bench's gateway process (the built CLI): answers the IPC message
// `memory` with process.memoryUsage() taken after a GC (`--expose-gc`), so a bench can measure the
// gateway users run without a bench-only server script.
process.on('message', (message) => {
  if (message !== 'memory') return;
  globalThis.gc?.();
  process.send?.({ memory: process.memoryUsage() });
});
// The channel must not keep the gateway alive once the CLI has shut down on SIGINT.
process.channel?.unref();
