/** An event dispatched by the parser, as an `EventSource` would see it. */
export interface SseMessage {
  /** The event type; `message` when the frame had no `event:` field. */
  readonly event: string;
  readonly data: string;
  /** The last event id in effect (ids persist across frames until changed). */
  readonly lastEventId: string;
  /** True when this very frame carried an `id:` field. */
  readonly hasId: boolean;
}

/** Callbacks of an {@link SseParser}. */
export interface SseParserOptions {
  onMessage(message: SseMessage): void;
  onComment?(text: string): void;
  onRetry?(milliseconds: number): void;
}

/** An incremental parser: feed it decoded text in chunks split anywhere. */
export interface SseParser {
  feed(chunk: string): void;
  /** Forgets any partial frame, as at a new connection; the last event id is kept. */
  reset(): void;
}

/** Creates a parser that follows the WHATWG event-stream rules (CR, LF, CRLF, BOM, comments, multi-line data). */
export function createSseParser(options: SseParserOptions): SseParser {
  let buffer = '';
  let atStreamStart = true;
  let pendingCr = false;
  let data = '';
  let hasData = false;
  let eventType = '';
  // WHATWG keeps an id buffer that becomes the stream's last event id only when a frame ends, so the
  // id of a frame cut off by a dropped connection is never adopted.
  let idBuffer = '';
  let lastEventId = '';
  let frameHasId = false;

  function dispatch(): void {
    lastEventId = idBuffer;
    if (hasData) {
      options.onMessage({ event: eventType || 'message', data, lastEventId, hasId: frameHasId });
    }
    data = '';
    hasData = false;
    eventType = '';
    frameHasId = false;
  }

  function processLine(line: string): void {
    if (line === '') return dispatch();
    if (line.charCodeAt(0) === 0x3a) return options.onComment?.(line.slice(1).replace(/^ /, ''));
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    switch (field) {
      case 'data':
        data = hasData ? `${data}\n${value}` : value;
        hasData = true;
        break;
      case 'event':
        eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) {
          idBuffer = value;
          frameHasId = true;
        }
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) options.onRetry?.(Number(value));
        break;
      default:
        break;
    }
  }

  function feed(chunk: string): void {
    // An empty chunk must not clear a pending CR: its LF may still come in the next one.
    if (chunk.length === 0) return;
    let text = chunk;
    if (atStreamStart) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      atStreamStart = false;
    }
    // A CR that ended the previous chunk already closed its line; an LF right after it belongs to that break.
    if (pendingCr && text.charCodeAt(0) === 0x0a) text = text.slice(1);
    pendingCr = false;
    // The kept buffer is one partial line without breaks, so only the new text needs scanning.
    const scanFrom = buffer.length;
    buffer += text;
    let start = 0;
    for (let i = scanFrom; i < buffer.length; i++) {
      const code = buffer.charCodeAt(i);
      if (code !== 0x0a && code !== 0x0d) continue;
      processLine(buffer.slice(start, i));
      if (code === 0x0d) {
        if (i + 1 === buffer.length) pendingCr = true;
        else if (buffer.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    buffer = buffer.slice(start);
  }

  function reset(): void {
    buffer = '';
    atStreamStart = true;
    pendingCr = false;
    data = '';
    hasData = false;
    eventType = '';
    idBuffer = lastEventId;
    frameHasId = false;
  }

  return { feed, reset };
}
