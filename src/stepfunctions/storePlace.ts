/**
 * Where Step Functions keeps executions, decided from the options alone: the gateway asks before
 * it loads the service (to lock its data folder), so this module imports nothing heavy.
 */
import type { NormalizedConfig } from '../config/types.js';
import type { ExecutionStore } from './store/types.js';

/** The store settings a config or the service options may give (see StepFunctionsStoreConfig). */
interface StoreSettings {
  connectionString?: string;
  table?: string;
  instanceId?: string;
  dir?: string;
}

interface PlaceOptions {
  config(): NormalizedConfig;
  store?: ExecutionStore | StoreSettings;
  storeDir: string;
  inMemory?: boolean;
}

function isStore(store: unknown): store is ExecutionStore {
  return !!store && typeof (store as ExecutionStore).append === 'function';
}

/** `stepFunctions.store` of the config, overridden by the options' settings. */
export function storeSettings(options: Pick<PlaceOptions, 'config' | 'store'>): StoreSettings {
  const raw = (options.config().stepFunctions as { store?: StoreSettings } | undefined)?.store;
  return { ...(raw && typeof raw === 'object' ? raw : {}), ...(isStore(options.store) ? {} : options.store) };
}

/**
 * Where the executions of these options are kept: a PostgreSQL URL (`connectionString`, else
 * `APPSYNC_GATEWAY_SFN_STORE_URL`), nowhere (a given store object, or `inMemory`), or a file-store
 * folder (`dir`, else `APPSYNC_GATEWAY_SFN_STORE_DIR`, else `storeDir`).
 */
export function stepFunctionsStorePlace(options: PlaceOptions): { url?: string; dir?: string } {
  if (isStore(options.store)) return {};
  const settings = storeSettings(options);
  const url = settings.connectionString ?? process.env.APPSYNC_GATEWAY_SFN_STORE_URL;
  if (url) return { url };
  if (options.inMemory) return {};
  return { dir: settings.dir ?? (process.env.APPSYNC_GATEWAY_SFN_STORE_DIR || options.storeDir) };
}
