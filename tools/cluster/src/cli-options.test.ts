import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, parseCliOptions } from './cli-options.js';

describe('parseCliOptions', () => {
  it('defaults to redis, two gateways, port 8080 and the name "local"', () => {
    expect(parseCliOptions([], {})).toEqual({ broker: 'redis', gateways: 2, port: DEFAULT_PORT, name: 'local', help: false });
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
    [['--broker', 'kafka'], {}, /--broker: expected redis, nats, nats-cluster/],
    [[], { BROKER: 'kafka' }, /BROKER: expected redis, nats, nats-cluster/],
    [['--gateways', '0'], {}, /--gateways: expected an integer from 1/],
    [['--gateways', 'two'], {}, /--gateways/],
    [[], { PORT: '99999' }, /PORT: expected an integer/],
    [['--name', '../etc'], {}, /--name/],
    [['--nope'], {}, /nope/],
  ])('refuses %j %j with one line naming the option', (argv, env, message) => {
    expect(() => parseCliOptions(argv, env)).toThrow(message);
  });
});
