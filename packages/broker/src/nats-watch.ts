import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import { ensureStream, isStreamNotFound, streamEpoch, type WantedStream } from './nats-stream.js';

/** Wait before recreating a stream found deleted, in ms. @default 1000 */
export const NATS_RECREATE_DELAY_MS = 1000;

/**
 * Follows the identity of the deployment's stream: reads its state, recreates it when it vanished,
 * and reports once when the stream it followed is gone (deleted, or replaced by a new one).
 */
export class StreamWatch {
  private recreating: Promise<StreamInfo> | null = null;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly config: WantedStream,
    /** The epoch of the stream followed; empty while it is gone. */
    public epoch: string,
    private readonly onRetired: () => void,
  ) {}

  /** The stream's state now, recreating the stream when it vanished. */
  async info(): Promise<StreamInfo> {
    let info: StreamInfo;
    try {
      info = await this.jsm.streams.info(this.config.name);
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
      this.recreating ??= this.recreate().finally(() => (this.recreating = null));
      info = await this.recreating;
    }
    const seen = streamEpoch(info);
    if (seen !== this.epoch) {
      this.retire();
      this.epoch = seen;
    }
    return info;
  }

  private retire(): void {
    if (this.epoch === '') return;
    this.epoch = '';
    this.onRetired();
  }

  private async recreate(): Promise<StreamInfo> {
    this.retire();
    // nats-server 2.9 reports a stream gone before it has removed its files; a stream recreated under
    // the same name at once picks up the old blocks, then loses its own files to the old removal.
    await new Promise((resolve) => setTimeout(resolve, NATS_RECREATE_DELAY_MS));
    return ensureStream(this.jsm, this.config);
  }
}
