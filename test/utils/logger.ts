/** A logger that drops every line: for tests that do not assert on what the gateway logs. */
export const silentLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
