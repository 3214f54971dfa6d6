import type { GatewayConfig } from './types.js';

/** Identity helper that types an `appsync.config.ts`: `export default defineConfig({ … })`. */
export function defineConfig(config: GatewayConfig): GatewayConfig {
  return config;
}
