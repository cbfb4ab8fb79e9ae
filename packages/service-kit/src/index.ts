export { envBool, envEnum, envInt, envList, envOptional, envString } from './env.js';
export { BASE_ENV_SHAPE, ConfigError, LOG_LEVELS, SERVICE_ENV_SHAPE, parseEnv } from './config.js';
export { HTTP_STATUS, sendError, sendJson } from './http-errors.js';
export { toWireError, type WireError, type WireErrorMessages } from './wire-error.js';
export { compilePath, createRouteTable, matchPath, type CompilePathOptions, type Route, type RouteMatch, type RouteTable, type RouteTableOptions } from './route-table.js';
export { MethodNotAllowedError, notFoundError } from './route-errors.js';
export { createRequestEdge, requestEdgeMiddleware, type RequestEdge, type RequestEdgeOptions } from './request-edge.js';
export { decodeTopicPath } from './topic-path.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { createOpsRoutes, type OpsRoutesOptions } from './ops-routes.js';
export { connectBroker, listenOrExit, listenUrl, loadConfigOrExit, stopOnSignals, type BrokerConfig, type ListenAddress, type StopOnSignalsOptions } from './process-lifecycle.js';
export { createHttpServer, type HttpServerOptions } from './http-server.js';
export { createCors, CORS_ENV_SHAPE } from './cors.js';
export { AUTH_ENV_SHAPE, envTopicPatterns, type AuthConfig } from './auth/auth-env.js';
export { createAccessPolicy, type AccessPolicy, type AccessPolicyOptions } from './auth/access-policy.js';
export { createExpiryQueue, type ExpiryQueue, type ExpiryQueueOptions } from './auth/expiry-queue.js';
export {
  createJwtVerifier,
  type JoseFunctions,
  type JwtHeader,
  type JwtKeyResolver,
  type JwtVerifierConfig,
  type TokenVerifier,
} from './auth/jwt-verifier.js';
export { displayName, toPrincipal, type Principal } from './auth/principal.js';
export { MAX_TOKEN_LENGTH, TOKEN_COOKIE, TOKEN_QUERY_PARAM, readToken, redactToken } from './auth/token-source.js';
export { clientIp } from './limits/client-ip.js';
export { createConnectionLimiter, type ConnectionLimiter, type ConnectionLimiterOptions, type ConnectionSlot } from './limits/connection-limiter.js';
export { LIMIT_NAMES, createLimitHits, type LimitHits, type LimitName } from './limits/limit-metrics.js';
export {
  CONNECTION_LIMITS_ENV_SHAPE,
  HTTP_LIMITS_ENV_SHAPE,
  PUBLISH_LIMITS_ENV_SHAPE,
  httpServerLimits,
  type HttpLimitsConfig,
} from './limits/limits-env.js';
export { logAccessWarnings, type AccessWarningOptions } from './auth/access-warnings.js';
export { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './limits/token-bucket.js';
export { REQUEST_ID_HEADER, assignRequestId, logRequest } from './request-id.js';
