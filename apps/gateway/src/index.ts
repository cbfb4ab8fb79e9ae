export { createGatewayApp, type GatewayApp, type GatewayAppConfig, type GatewayAppOptions } from './app.js';
export { loadGatewayConfig, type GatewayConfig } from './config.js';
export { SSE_HEADERS } from './sse-headers.js';
export { createJoseAccessPolicy } from './access-policy.js';
export { GATEWAY_V8_FLAGS, withGatewayV8Flags } from './v8-flags.js';
