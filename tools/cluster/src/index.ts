export { BROKER_KINDS, NATS_CLUSTER_SIZE, type BrokerKind, type BrokerNode, type ClusterBroker } from './broker-server.js';
export { GATEWAY_SERVER_PARAMS, localNginxConfig, renderTemplate, upstreamServers, type NginxTemplateValues } from './nginx-config.js';
export { type NginxServer } from './nginx-server.js';
export { type NodeService, type UnexpectedExitHandler } from './node-service.js';
export { NGINX_TEMPLATE, REPO_ROOT } from './paths.js';
export { CLUSTER_APP_ENV, startCluster, type Cluster, type ClusterGateway, type ClusterOptions } from './start-cluster.js';
