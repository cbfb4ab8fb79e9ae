import { describe, expect, it } from 'vitest';
import { GATEWAY_V8_FLAGS, withGatewayV8Flags } from './v8-flags.js';

describe('withGatewayV8Flags', () => {
  it('adds the gateway flags after what the process was started with', () => {
    expect(withGatewayV8Flags(['--enable-source-maps'], '')).toEqual(['--enable-source-maps', ...GATEWAY_V8_FLAGS]);
  });

  it('keeps the operator\'s own value of a flag, given on the command line or in NODE_OPTIONS', () => {
    expect(withGatewayV8Flags(['--max-semi-space-size=16'], '')).toEqual(['--max-semi-space-size=16']);
    expect(withGatewayV8Flags(['--max_semi_space_size=16'], '')).toEqual(['--max_semi_space_size=16']);
    expect(withGatewayV8Flags([], '--trace-gc  --max-semi-space-size=8')).toEqual([]);
  });
});
