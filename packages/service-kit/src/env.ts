import { z } from 'zod';

// An empty variable counts as unset, so `PORT=` falls back to the default instead of failing as 0.
const blankAsUnset = (value: unknown): unknown => (value === '' ? undefined : value);

/** An integer variable within bounds. */
export function envInt(min: number, max: number, fallback: number) {
  return z.preprocess(
    blankAsUnset,
    z
      .string()
      .regex(/^-?\d+$/, { message: `expected an integer from ${min} to ${max}` })
      .transform(Number)
      .pipe(z.number().int().min(min, { message: `expected an integer from ${min} to ${max}` }).max(max, {
        message: `expected an integer from ${min} to ${max}`,
      }))
      // prefault, not default: zod 4 returns a default as-is, which would skip the transform to a number.
      .prefault(String(fallback)),
  );
}

/** A string variable with a default. */
export function envString(fallback: string) {
  return z.preprocess(blankAsUnset, z.string().default(fallback));
}

/** An optional string variable. */
export function envOptional() {
  return z.preprocess(blankAsUnset, z.string().optional());
}

/** A comma-separated list; blanks dropped. */
export function envList(fallback: readonly string[] = []) {
  return z.preprocess(
    blankAsUnset,
    z
      .string()
      .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
      .prefault(fallback.join(',')),
  );
}

/** One of a fixed set of words. */
export function envEnum<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return z.preprocess(blankAsUnset, z.enum(values, { message: `expected one of ${values.join(', ')}` }).default(fallback as never));
}

/** `true`/`false`/`1`/`0`. */
export function envBool(fallback: boolean) {
  return z.preprocess(
    blankAsUnset,
    z
      .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
      .transform((value) => value === 'true' || value === '1')
      .prefault(fallback ? 'true' : 'false'),
  );
}
