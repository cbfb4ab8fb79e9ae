let prefixCounter = 0;
/** A key/subject prefix (so a Redis keyspace or NATS stream) no other test or process uses; `tag` says which suite made it. */
export const uniquePrefix = (tag: string): string => `${tag}${process.pid}x${Date.now().toString(36)}x${prefixCounter++}`;
