// jsdom plus Node's own fetch, so components under test talk to a real HTTP server through
// axios' fetch adapter (jsdom's XHR would apply browser CORS and cookie rules to 127.0.0.1).
// FormData stays jsdom's: forms read their fields with `new FormData(form)`, which Node's lacks.
const { TestEnvironment } = require('jest-environment-jsdom');

class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of ['fetch', 'Request', 'Response', 'Headers', 'ReadableStream', 'TextEncoder', 'TextDecoder', 'structuredClone', 'AbortController', 'AbortSignal']) {
      if (globalThis[name]) this.global[name] = globalThis[name];
    }
  }
}

module.exports = JsdomWithFetch;
