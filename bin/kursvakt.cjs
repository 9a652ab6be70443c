#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `kursvakt` works on a fresh clone without a build step.
// It starts the CLI itself: through npx or a link, this file is not named kursvakt.cjs in argv.
require('tsx/cjs');
const { main } = require('../src/cli.ts');
main();
