import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('listens on 8080 unless PORT says otherwise', () => {
    expect(loadConfig({})).toEqual({ port: 8080 });
    expect(loadConfig({ PORT: '9090' })).toEqual({ port: 9090 });
  });

  it('names the variable and the bad value in one line', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow('invalid configuration: PORT must be a TCP port number (0-65535), got "abc"');
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be a TCP port number/);
  });
});
