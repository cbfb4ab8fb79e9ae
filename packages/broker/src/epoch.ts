/** A fresh epoch: base36 time plus randomness, so two processes never share one. */
export function newEpoch(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}
