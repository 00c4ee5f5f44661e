// The two versions tsrun states, each written once: its own (package.json's
// "version") and the runtime-spec version it implements (`--version`,
// features' ociVersionMax, `tsrun spec`, state.json and the hooks' state).
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
export const SPEC_VERSION = '1.2.0';
