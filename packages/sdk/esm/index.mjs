// The ESM entry: the CommonJS build's exports by name, so both module systems share one instance
// (an `instanceof OutbandError` holds whichever way the error was loaded).
import sdk from '../dist/index.js';

export const { Outband, OutbandError, OutbandNetworkError, verifyWebhook } = sdk;
