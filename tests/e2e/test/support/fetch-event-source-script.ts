// @microsoft/fetch-event-source as a page would load it from a bundler: its three CommonJS modules wrapped
// in a tiny module table, exposed as `window.fetchEventSourceLib`. No bundler is a dependency of the tests.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const MODULES = ['index', 'fetch', 'parse'] as const;

/** A classic script that defines `window.fetchEventSourceLib` (`{ fetchEventSource, EventStreamContentType }`). */
export function fetchEventSourceScript(): string {
  const main = createRequire(import.meta.url).resolve('@microsoft/fetch-event-source');
  const dir = dirname(main);
  const table = MODULES.map((name) => {
    const source = readFileSync(join(dir, `${name}.js`), 'utf8').replace(/\/\/# sourceMappingURL=.*$/m, '');
    return `'./${name}': function (exports, require, module) {\n${source}\n}`;
  }).join(',\n');
  return `window.fetchEventSourceLib = (function () {
  var modules = {${table}};
  var cache = {};
  function load(name) {
    if (cache[name]) return cache[name].exports;
    var module = (cache[name] = { exports: {} });
    modules[name](module.exports, load, module);
    return module.exports;
  }
  return load('./index');
})();`;
}
