import { describe, expect, it } from 'vitest';
import { loadWebConfig } from './config.js';

describe('loadWebConfig', () => {
  it('listens on every interface, port 8080, unless HOST and PORT say otherwise', () => {
    expect(loadWebConfig({})).toMatchObject({ PORT: 8080, LOG_LEVEL: 'info' });
    expect(loadWebConfig({}).HOST).toBeUndefined();
    expect(loadWebConfig({ HOST: '127.0.0.1', PORT: '9090' })).toMatchObject({ HOST: '127.0.0.1', PORT: 9090 });
  });

  it('takes NODE_ID and LOG_LEVEL like every other app', () => {
    expect(loadWebConfig({ NODE_ID: 'web-1', LOG_LEVEL: 'warn' })).toMatchObject({ NODE_ID: 'web-1', LOG_LEVEL: 'warn' });
  });

  it('names the variable and the bad value in one line', () => {
    expect(() => loadWebConfig({ PORT: 'abc' })).toThrow('invalid configuration: PORT: expected an integer from 1 to 65535 (got "abc")');
    expect(() => loadWebConfig({ LOG_LEVEL: 'loud' })).toThrow(/^invalid configuration: LOG_LEVEL: expected one of fatal/);
    expect(() => loadWebConfig({ HOST: 'not a host' })).toThrow(/^invalid configuration: HOST: expected an IP address/);
  });
});
