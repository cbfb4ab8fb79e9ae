// A CommonJS module in the same project: `require` resolves to the package's CJS build and its .d.cts types.
import protocol = require('@ssehub/protocol');

/** Decodes a cursor with the CommonJS build; the result is typed from the .d.cts declarations. */
function positionOf(cursor: string): number | undefined {
  const decoded: protocol.Cursor | null = protocol.decodeCursor(cursor);
  return decoded?.positions[0];
}

export = { positionOf };
