// The README's shell commands, run as written: the table in support/readme-commands.ts names what runs
// each one, and this file runs those it names. Only addresses change: `localhost:8080` and the brokers'
// ports become the test's own free port and servers, so a run never depends on what else the box holds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSseParser, decodeCursor, type SseMessage } from '@ssehub/protocol';
import { freePort, startNats, startRedis, waitForHttp, type NatsServer, type RedisServer } from '@ssehub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { README_COMMANDS, documentedCommands } from './support/readme-commands.js';
import { jsonLogLines, runShell, type ShellCommand } from './support/shell-command.js';
import { REPO_ROOT } from './support/standalone.js';

/** How long a command that builds and starts may take (turbo's cache makes it seconds in a test run). @default 180000 */
const START_TIMEOUT_MS = 180_000;

const running = new Set<ShellCommand>();
afterAll(async () => {
  await Promise.all([...running].map((command) => command.stop()));
});

/** Runs a command to its end; resolves with its stdout, rejects with all its output on a non-zero exit. */
async function runToEnd(command: string, env: Record<string, string> = {}): Promise<string> {
  const shell = runShell(command, env);
  const code = await shell.exited;
  if (code !== 0) throw new Error(`"${command}" exited ${code}:\n${shell.output().slice(-4000)}`);
  return shell.stdout();
}

/** Starts a long-running command and waits for `ready` in its output. */
async function start(command: string, env: Record<string, string>, ready: (output: string) => boolean, what: string): Promise<ShellCommand> {
  const shell = runShell(command, env);
  running.add(shell);
  await shell.waitForOutput(ready, what, START_TIMEOUT_MS);
  return shell;
}

async function stop(shell: ShellCommand): Promise<void> {
  await shell.stop();
  running.delete(shell);
}

/** The command as the README writes it, with `localhost:8080` pointed at `port`. */
const onPort = (command: string, port: number): string => command.replaceAll('localhost:8080', `localhost:${port}`);
const bannerOf = (output: string) => jsonLogLines(output).find((line) => String(line.msg).startsWith('ssehub chat is running: '));

describe('the README commands table', () => {
  it('names every command the READMEs show, and only those', () => {
    const shown = documentedCommands();
    expect(shown.length).toBeGreaterThan(20);
    const missing = shown.filter(({ command }) => !(command in README_COMMANDS));
    expect(missing, 'commands with no entry in support/readme-commands.ts').toEqual([]);
    const stale = Object.keys(README_COMMANDS).filter((command) => !shown.some((shownCommand) => shownCommand.command === command));
    expect(stale, 'entries no README shows any more').toEqual([]);
  });

  it('names test files that hold their command verbatim, and CI entries .ci/run holds', () => {
    for (const [command, coverage] of Object.entries(README_COMMANDS)) {
      if ('test' in coverage) expect(readFileSync(join(REPO_ROOT, 'tests/e2e/test', coverage.test), 'utf8'), command).toContain(JSON.stringify(command).slice(1, -1));
      if ('ci' in coverage) expect(readFileSync(join(REPO_ROOT, coverage.ci), 'utf8'), command).toContain(coverage.as ?? command);
    }
  });
});

describe('Quick start and the HTTP API examples, against the default pnpm start', () => {
  let port: number;
  let server: ShellCommand;

  beforeAll(async () => {
    port = await freePort();
    server = await start('npx -y pnpm@12.4.2 install && npx -y pnpm@12.4.2 start', { PORT: String(port) }, (output) => bannerOf(output) !== undefined, 'the start line');
  });
  afterAll(() => stop(server));

  it('prints the URL to open in its JSON start line, on loopback over the memory broker', async () => {
    expect(bannerOf(server.output())).toMatchObject({ service: 'standalone', url: `http://127.0.0.1:${port}`, host: '127.0.0.1', broker: 'memory' });
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it('runs the subscribe, publish, chat and history examples: 201s, the events on the stream once each, in order', async () => {
    const stream = runShell(onPort("curl -N 'http://localhost:8080/v1/events?topic=rooms/lobby&topic=rooms/orders'", port));
    running.add(stream);
    const messages: SseMessage[] = [];
    const parse = (output: string): SseMessage[] => {
      const parser = createSseParser({ onMessage: (message) => messages.push(message) });
      messages.length = 0;
      parser.feed(output);
      return messages;
    };
    // The stream is curl's stdout alone: its progress meter on stderr may land in the middle of a frame.
    await stream.waitForOutput(() => parse(stream.stdout()).some((message) => message.event === 'ssehub.ready'), 'ssehub.ready', 30_000);

    const publish = onPort(
      "curl -X POST localhost:8080/v1/publish -H 'content-type: application/json' -H 'Idempotency-Key: order-1234-shipped' -d '{\"topic\":\"rooms/orders\",\"type\":\"order.shipped\",\"data\":{\"order\":1234}}'",
      port,
    );
    const first = JSON.parse(await runToEnd(publish)) as { id: string; topic: string; type: string };
    expect(first).toMatchObject({ topic: 'rooms/orders', type: 'order.shipped' });
    // Run twice, as a retry would: the Idempotency-Key answers the same id and appends nothing.
    expect(JSON.parse(await runToEnd(publish))).toEqual(first);
    const batch = JSON.parse(
      await runToEnd(
        onPort(
          "curl -X POST localhost:8080/v1/publish -H 'content-type: application/json' -d '{\"events\":[{\"topic\":\"rooms/a\",\"type\":\"x.y\",\"data\":1},{\"topic\":\"rooms/b\",\"type\":\"x.y\",\"data\":2}]}'",
          port,
        ),
      ),
    ) as { events: { id: string }[] };
    expect(batch.events).toHaveLength(2);
    const chat = JSON.parse(
      await runToEnd(onPort("curl -X POST localhost:8080/v1/rooms/lobby/messages -H 'content-type: application/json' -d '{\"text\":\"hello\",\"author\":\"ana\"}'", port)),
    ) as { id: string };
    const history = JSON.parse(await runToEnd(onPort("curl 'localhost:8080/v1/topics/rooms/lobby/history?limit=50'", port))) as {
      topic: string;
      events: { id: string; data: unknown }[];
    };
    expect(history.topic).toBe('rooms/lobby');
    expect(history.events.map((event) => event.id)).toContain(chat.id);

    // The stream carries its two topics' events (not rooms/a, rooms/b): the order once, then the message.
    await stream.waitForOutput(() => parse(stream.stdout()).some((message) => message.lastEventId === chat.id), 'the chat message on the stream', 30_000);
    const events = messages.filter((message) => message.hasId);
    expect(events.map((message) => [message.event, message.lastEventId])).toEqual([
      ['order.shipped', first.id],
      ['chat.message', chat.id],
    ]);
    const positions = events.map((message) => decodeCursor(message.lastEventId)!.positions[0]!);
    expect(positions[1]!).toBeGreaterThan(positions[0]!);
    await stop(stream);
  });
});

describe('Scaling out: pnpm start over a shared broker', () => {
  let redis: RedisServer;
  let nats: NatsServer;
  beforeAll(async () => {
    [redis, nats] = await Promise.all([startRedis(), startNats()]);
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), nats?.stop()]);
  });

  it.each(['redis', 'nats'] as const)('starts on %s as written (the comment names the NATS form)', async (kind) => {
    const port = await freePort();
    const written = 'BROKER_URL=redis://127.0.0.1:6379 npx -y pnpm@12.4.2 start';
    const command = kind === 'redis' ? written.replace('redis://127.0.0.1:6379', redis.url) : written.replace('redis://127.0.0.1:6379', nats.url);
    const server = await start(command, { PORT: String(port) }, (output) => bannerOf(output) !== undefined, 'the start line');
    try {
      expect(bannerOf(server.output())).toMatchObject({ broker: kind, port });
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, 30_000);
    } finally {
      await stop(server);
    }
  });
});

describe('pnpm cluster, as the README runs it', () => {
  const ready = (output: string): boolean => output.includes('is ready (');

  it.each([
    ['pnpm cluster', 'redis, 2 gateways'],
    ['pnpm cluster --broker nats --gateways 3', 'nats, 3 gateways'],
    ['pnpm cluster --broker nats-cluster', 'nats-cluster, 2 gateways'],
    ['pnpm cluster --broker redis-cluster --partitions 8', 'redis-cluster over 8 partitions, 2 gateways'],
    ['PORT=9000 pnpm cluster', 'redis, 2 gateways'],
  ])('"%s" starts %s behind nginx, serving history and the page', async (written, what) => {
    const port = await freePort();
    // PORT picks nginx's port; the one written into a command becomes a free one.
    const command = written.replace('PORT=9000', `PORT=${port}`);
    const cluster = await start(command, { PORT: String(port) }, ready, 'the cluster to be ready');
    try {
      expect(cluster.output()).toContain(`is ready (${what})`);
      expect(cluster.output()).toContain(`http://127.0.0.1:${port}/`);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/v1/topics/rooms/lobby/history`)).status).toBe(200);
    } finally {
      await stop(cluster);
    }
  });

  it('"ADMIN_TOKEN=$(openssl rand -hex 16) pnpm cluster" turns the admin API on', async () => {
    const port = await freePort();
    const cluster = await start('ADMIN_TOKEN=$(openssl rand -hex 16) pnpm cluster', { PORT: String(port) }, ready, 'the cluster to be ready');
    try {
      // On, and closed to a caller without the token: 401, where an unset ADMIN_TOKEN answers 404.
      expect((await fetch(`http://127.0.0.1:${port}/v1/admin/nodes`)).status).toBe(401);
    } finally {
      await stop(cluster);
    }
  });
});

describe('Development', () => {
  it.each(['npx -y pnpm@12.4.2 install', 'pnpm build', 'pnpm typecheck'])('"%s" succeeds', async (command) => {
    await runToEnd(command);
  }, 600_000);
});
