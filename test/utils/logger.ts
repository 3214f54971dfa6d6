/** A logger that drops every line: for tests that do not assert on what the gateway logs. */
export const silentLogger = {
  // It writes nothing: code that builds a debug line's fields only when debug is on skips them, as at the CLI's default level.
  debugEnabled: false,
  debug() {},
  info() {},
  warn() {},
  error() {},
};
