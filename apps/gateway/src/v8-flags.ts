/**
 * V8 flags every gateway process should run with. A connection storm (thousands of streams opening
 * at once, each a few KB that survive) makes V8 grow the young generation from 1 MB to its 16 MB
 * semi-space maximum, and it stays there: 32 MB per process that idle streams never use, ~2.5 KB
 * per connection at 50,000 streams over four workers. The delivery path allocates little, so a 4 MB
 * cap costs nothing measurable there (BENCHMARKS.md, memory per idle connection).
 *
 * Cluster workers get them from the primary; a single-process gateway gets them from its launcher
 * (`node --max-semi-space-size=4 dist/main.js`, as the Dockerfile does).
 */
export const GATEWAY_V8_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * `execArgv` plus the gateway's flags, except those the operator already set, on the command line or
 * in `NODE_OPTIONS` (which a command-line flag would override).
 */
export function withGatewayV8Flags(execArgv: readonly string[], nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const flagName = (arg: string): string => arg.split('=', 1)[0]!.replace(/_/g, '-');
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map(flagName));
  return [...execArgv, ...GATEWAY_V8_FLAGS.filter((flag) => !given.has(flagName(flag)))];
}
