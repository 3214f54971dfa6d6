/** Config front door: loading files, resolving variables, validating and normalising. */
export type * from './types.js';
export { AUTHENTICATION_TYPES } from './types.js';
export { defineConfig } from './defineConfig.js';
export { CONFIG_FILE_NAMES, findConfigFile, loadConfigFile, type LoadConfigOptions, type LoadedConfig } from './load.js';
export { normalizeConfig, type NormalizeOptions } from './normalize.js';
export { isEventsOnly } from './events.js';
export { resolveVariables, type VariableOptions } from './variables.js';
export { didYouMean, unknownKeyErrors, type UnknownKeys } from './unknownKeys.js';
