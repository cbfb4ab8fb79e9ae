// Imported first by app.ts: zod probes `new Function` when a schema is created, and the page's CSP
// forbids eval, so the browser would report a violation for every page load. Jitless zod never probes.
import { z } from 'zod';

z.config({ jitless: true });
