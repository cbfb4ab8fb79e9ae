import { SsehubError } from './errors.js';

/** One SSE frame to encode. */
export interface SseFrame {
  /** The `id:` field; omitted for control events so they never move the client's cursor. */
  readonly id?: string;
  /** The `event:` field. */
  readonly event?: string;
  /** The payload; every line becomes its own `data:` line. */
  readonly data: string;
}

const LINE_BREAK = /\r\n|\r|\n/;

function assertSingleLine(field: string, value: string): void {
  // A CR, LF or NUL here would end the field early and let the rest forge a new one.
  if (/[\r\n\0]/.test(value)) {
    throw new SsehubError('bad_request', `SSE ${field} must not contain CR, LF or NUL`);
  }
}

/** Encodes one event frame; data with line breaks becomes several `data:` lines, so it can never forge a frame. */
export function formatSseFrame(frame: SseFrame): string {
  let out = '';
  if (frame.id !== undefined) {
    assertSingleLine('id', frame.id);
    out += `id: ${frame.id}\n`;
  }
  if (frame.event !== undefined) {
    assertSingleLine('event', frame.event);
    out += `event: ${frame.event}\n`;
  }
  for (const line of frame.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** Encodes a comment line (heartbeats); line breaks become separate comment lines. */
export function formatSseComment(text: string): string {
  return text
    .split(LINE_BREAK)
    .map((line) => `: ${line}\n`)
    .join('')
    .concat('\n');
}

/** Encodes the `retry:` field that sets the client's reconnection delay. */
export function formatSseRetry(milliseconds: number): string {
  if (!Number.isSafeInteger(milliseconds) || milliseconds < 0) {
    throw new SsehubError('bad_request', 'SSE retry must be a non-negative integer');
  }
  return `retry: ${milliseconds}\n\n`;
}
