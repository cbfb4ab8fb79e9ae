export { envBool, envEnum, envInt, envList, envOptional, envString } from './env.js';
export { BASE_ENV_SHAPE, ConfigError, LOG_LEVELS, parseEnv } from './config.js';
export { HTTP_STATUS, sendError, sendJson } from './http-errors.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { createOpsRoutes, type OpsRoutesOptions } from './ops-routes.js';
export { connectBroker, listenOrExit, loadConfigOrExit, stopOnSignals, type BrokerConfig, type StopOnSignalsOptions } from './process-lifecycle.js';
export { createHttpServer } from './http-server.js';
