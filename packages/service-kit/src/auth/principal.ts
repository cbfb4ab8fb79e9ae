import { SsehubClaimSchema, SsehubError, compileTopicPatterns, type TopicPatternSet } from '@ssehub/protocol';

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
  const claim = SsehubClaimSchema.safeParse(payload.ssehub ?? {});
  if (!claim.success) {
    const issue = claim.error.issues[0];
    throw new SsehubError('unauthorized', `the token's ssehub claim is invalid: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const trimmed = typeof name === 'string' ? name.trim() : '';
  return {
    subject: sub,
    name: NAME_PATTERN.test(trimmed) ? trimmed : undefined,
    expiresAtMs: (exp + clockToleranceS) * 1000,
    subscribe: compileTopicPatterns(claim.data.subscribe),
    publish: compileTopicPatterns(claim.data.publish),
  };
}

/** The name a principal's chat messages carry: its `name`, else its subject (cut to 64 characters). */
export function displayName(principal: Principal): string {
  return principal.name ?? principal.subject.slice(0, 64);
}
