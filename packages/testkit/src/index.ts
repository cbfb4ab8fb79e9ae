export { freePort } from './free-port.js';
export { requireBinary } from './binaries.js';
export { startProcess, waitForHttp, waitForPort, type RunningProcess } from './child-process.js';
export { startRedis, type RedisServer, type StartRedisOptions } from './redis-server.js';
export { startRedisCluster, type RedisCluster, type StartRedisClusterOptions } from './redis-cluster.js';
export { startNats, startNatsCluster, type NatsCluster, type NatsServer, type StartNatsOptions } from './nats-server.js';
export { openSse, ready, type SseTestClient } from './sse-client.js';
export { until, type Truthy } from './wait.js';
export { collect, type Collected, type Subscribable } from './collect.js';
