import {
  MAX_TOPIC_PATTERNS,
  SsehubClaimSchema,
  SsehubError,
  compileTopicPatterns,
  isValidTopicPattern,
  type SsehubClaim,
  type TopicPatternSet,
} from '@ssehub/protocol';

/** Who a verified token says the caller is, and what it may do. */
export interface Principal {
  /** The token's `sub`. */
  readonly subject: string;
  /** The token's `name`, when it is a usable display name. */
  readonly name: string | undefined;
  /** When the token stops being accepted (its `exp` plus the clock tolerance), in ms since the epoch. */
  readonly expiresAtMs: number;
  readonly subscribe: TopicPatternSet;
  readonly publish: TopicPatternSet;
}

// Subjects end up in presence lists and log lines: printable, bounded.
const SUBJECT_PATTERN = /^[^\u0000-\u001f\u007f]{1,128}$/u;
const NAME_PATTERN = /^[^\u0000-\u001f\u007f]{1,64}$/u;

/** Builds a principal from a verified JWT payload; throws 401 when a required claim is unusable. */
export function toPrincipal(payload: Readonly<Record<string, unknown>>, clockToleranceS: number): Principal {
  const { sub, exp, name } = payload;
  if (typeof sub !== 'string' || !SUBJECT_PATTERN.test(sub) || sub.trim() !== sub) {
    throw new SsehubError('unauthorized', 'the token needs a "sub" claim of 1-128 printable characters, not starting or ending with a space');
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new SsehubError('unauthorized', 'the token needs an "exp" claim');
  const claim = readClaim(payload.ssehub ?? {});
  const trimmed = typeof name === 'string' ? name.trim() : '';
  return {
    subject: sub,
    name: NAME_PATTERN.test(trimmed) ? trimmed : undefined,
    expiresAtMs: (exp + clockToleranceS) * 1000,
    subscribe: patternSet(claim.subscribe),
    publish: patternSet(claim.publish),
  };
}

/** Compiled pattern lists by their text: the tokens of one application grant the same few lists. @default 1024 */
const PATTERN_SETS_KEPT = 1024;
const patternSets = new Map<string, TopicPatternSet>();

/** The compiled set of a validated pattern list, shared by every principal that grants the same list. */
function patternSet(patterns: readonly string[]): TopicPatternSet {
  const key = patterns.join(' ');
  let set = patternSets.get(key);
  if (set === undefined) {
    set = compileTopicPatterns(patterns);
    if (patternSets.size >= PATTERN_SETS_KEPT) patternSets.clear();
    patternSets.set(key, set);
  }
  return set;
}

/** A list of at most MAX_TOPIC_PATTERNS valid patterns, what the schema accepts, checked by hand. */
function isPatternList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= MAX_TOPIC_PATTERNS && value.every(isValidTopicPattern);
}

/** The `ssehub` claim; a well-formed one is read without the schema, which runs only to word a refusal. */
function readClaim(value: unknown): SsehubClaim {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { subscribe = [], publish = [] } = value as { subscribe?: unknown; publish?: unknown };
    if (isPatternList(subscribe) && isPatternList(publish)) return { subscribe, publish };
  }
  const claim = SsehubClaimSchema.safeParse(value);
  if (claim.success) return claim.data;
  const issue = claim.error.issues[0];
  throw new SsehubError('unauthorized', `the token's ssehub claim is invalid: ${issue?.path.join('.')}: ${issue?.message}`);
}

/** The name a principal's chat messages carry: its `name`, else its subject (cut to 64 characters). */
export function displayName(principal: Principal): string {
  return principal.name ?? principal.subject.slice(0, 64);
}
