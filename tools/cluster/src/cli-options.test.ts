import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, MAX_PARTITIONS, USAGE, parseCliOptions } from './cli-options.js';

describe('parseCliOptions', () => {
  it('defaults to redis, two gateways, one log, port 8080 and the name "local"', () => {
    expect(parseCliOptions([], {})).toEqual({ broker: 'redis', gateways: 2, partitions: 1, port: DEFAULT_PORT, name: 'local', help: false });
  });

  it('reads --broker redis-cluster and --partitions', () => {
    expect(parseCliOptions(['--broker', 'redis-cluster', '--partitions', '8'], {})).toMatchObject({ broker: 'redis-cluster', partitions: 8 });
    expect(parseCliOptions(['--partitions', '64'], {}).partitions).toBe(MAX_PARTITIONS);
  });

  it('reads --broker, --gateways, --name and PORT; BROKER when --broker is absent', () => {
    expect(parseCliOptions(['--broker', 'nats', '--gateways', '3', '--name', 'demo'], { PORT: '9090' })).toMatchObject({
      broker: 'nats',
      gateways: 3,
      port: 9090,
      name: 'demo',
    });
    expect(parseCliOptions([], { BROKER: 'nats' }).broker).toBe('nats');
    expect(parseCliOptions(['--broker', 'redis'], { BROKER: 'nats' }).broker).toBe('redis');
  });

  it.each([
    [['--broker', 'kafka'], {}, /--broker: expected redis, nats, nats-cluster, redis-cluster/],
    [[], { BROKER: 'kafka' }, /BROKER: expected redis, nats, nats-cluster, redis-cluster/],
    [['--gateways', '0'], {}, /--gateways: expected an integer from 1/],
    [['--gateways', 'two'], {}, /--gateways/],
    [['--partitions', '0'], {}, /--partitions: expected an integer from 1 to 64/],
    [['--partitions', '65'], {}, /--partitions: expected an integer from 1 to 64/],
    [[], { PORT: '99999' }, /PORT: expected an integer/],
    [['--name', '../etc'], {}, /--name/],
    [['--nope'], {}, /nope/],
  ])('refuses %j %j with one line naming the option', (argv, env, message) => {
    expect(() => parseCliOptions(argv, env)).toThrow(message);
  });

  it('documents every option in the usage text', () => {
    for (const option of ['--broker', '--gateways', '--partitions', '--name', 'redis-cluster']) expect(USAGE).toContain(option);
  });
});
