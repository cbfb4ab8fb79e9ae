import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** Step-downs one spread may ask for per stream before it keeps the spread it has. @default 3 */
export const NATS_SPREAD_STEPDOWNS_PER_STREAM = 3;
/** How long a stream may take to elect a leader after a step-down, in ms. @default 10000 */
const ELECTION_TIMEOUT_MS = 10_000;

/** Which streams each server leads: every live peer of the streams is a key, leading none or more. */
export type LeaderSpread = Map<string, string[]>;

/** The spread of `infos`, or undefined while a stream has no leader (an election under way). */
function spreadOf(infos: readonly StreamInfo[]): LeaderSpread | undefined {
  const spread: LeaderSpread = new Map();
  for (const info of infos) {
    const leader = info.cluster?.leader;
    if (leader === undefined) return undefined;
    for (const peer of info.cluster?.replicas ?? []) if (!peer.offline && !spread.has(peer.name)) spread.set(peer.name, []);
    spread.set(leader, [...(spread.get(leader) ?? []), info.config.name]);
  }
  return spread;
}

/**
 * A stream to move off the busiest server, when some server leads two fewer: one that replicates to such
 * a server, the one asked least so far. nats-server 2.9 hands leadership to a peer of its own choosing, the
 * same one most times for a given leader and stream, so asking the same stream again tends to repeat the miss.
 */
function streamToMove(infos: readonly StreamInfo[], spread: LeaderSpread, asked: ReadonlyMap<string, number>): string | undefined {
  const bySize = [...spread].sort((a, b) => b[1].length - a[1].length);
  const [busiest, led] = bySize[0]!;
  const idlest = bySize.filter(([, streams]) => streams.length < led.length - 1).map(([server]) => server);
  const movable = infos
    .filter((info) => info.cluster?.leader === busiest && info.cluster.replicas?.some((peer) => idlest.includes(peer.name) && peer.current && !peer.offline))
    .map((info) => info.config.name)
    .sort((a, b) => (asked.get(a) ?? 0) - (asked.get(b) ?? 0));
  return movable[0];
}

/** Asks a stream's leader to step down; resolves once the stream announced its next leader. */
async function stepDown(nc: NatsConnection, stream: string): Promise<void> {
  // Subscribed before asking, so the advisory of the election cannot slip past.
  const elected = nc.subscribe(`$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.${stream}`, { max: 1, timeout: ELECTION_TIMEOUT_MS });
  try {
    const answer = (await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, undefined, { timeout: ELECTION_TIMEOUT_MS })).json<{
      success?: boolean;
      error?: { description?: string };
    }>();
    if (!answer.success) throw new Error(`step-down of ${stream} refused: ${answer.error?.description ?? 'no reason given'}`);
    for await (const _ of elected) break;
  } finally {
    elected.unsubscribe();
  }
}

/**
 * Spreads the leaders of replicated streams over their servers, so no server leads two more than another.
 * Each stream elects its own leader; nats-server 2.9 cannot be told which peer to elect, so a stream led
 * by the busiest server steps down and one of its other peers wins, repeated up to
 * {@link NATS_SPREAD_STEPDOWNS_PER_STREAM} times per stream. Answers the spread it ends with.
 */
export async function spreadStreamLeaders(nc: NatsConnection, jsm: JetStreamManager, streams: readonly string[]): Promise<LeaderSpread> {
  const asked = new Map<string, number>();
  for (let budget = streams.length * NATS_SPREAD_STEPDOWNS_PER_STREAM; ; budget--) {
    const infos = await Promise.all(streams.map((stream) => jsm.streams.info(stream)));
    const spread = spreadOf(infos);
    if (spread === undefined) throw new Error(`a stream of ${streams.join(',')} has no leader`);
    const stream = budget > 0 ? streamToMove(infos, spread, asked) : undefined;
    if (stream === undefined) return spread;
    asked.set(stream, (asked.get(stream) ?? 0) + 1);
    await stepDown(nc, stream);
  }
}
