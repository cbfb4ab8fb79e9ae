import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.js';

// Measurements, not tests: run one by name, e.g. `npx vitest run --config test/measure/vitest.config.ts`.
export default mergeConfig(base, defineConfig({ test: { include: ['test/measure/**/*.measure.ts'], testTimeout: 600_000 } }));
