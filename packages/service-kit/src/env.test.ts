import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envBool, envInt, envList } from './env.js';

describe('env helpers', () => {
  // Regression: zod 4's .default() returned the fallback string untransformed, so PORT defaulted to "8080".
  it('parse their fallbacks like a given value', () => {
    const schema = z.object({ PORT: envInt(1, 65_535, 8080), ON: envBool(true), LIST: envList(['a', 'b']) });
    expect(schema.parse({})).toEqual({ PORT: 8080, ON: true, LIST: ['a', 'b'] });
    expect(schema.parse({ PORT: '', ON: '', LIST: '' })).toEqual({ PORT: 8080, ON: true, LIST: ['a', 'b'] });
    expect(schema.parse({ PORT: '9000', ON: '0', LIST: ' x, ,y ' })).toEqual({ PORT: 9000, ON: false, LIST: ['x', 'y'] });
  });
});
