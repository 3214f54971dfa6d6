export { createGateway, type Gateway, type GatewayOptions, type ListenResult } from './gateway.js';
export { createConsoleLogger, type LogLevel } from './logger.js';
export { isInside } from './dataFolder.js';
