// Retention every backend applies when its options name none (see RetentionOptions in broker.ts).

/** Events kept per topic unless configured. @default 1000 */
export const DEFAULT_HISTORY_MAX_PER_TOPIC = 1000;
/** Seconds an event is kept unless configured. @default 86400 */
export const DEFAULT_HISTORY_MAX_AGE_S = 86_400;
