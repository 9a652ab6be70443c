#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `kursvakt` works on a fresh clone without a build step.
require('tsx/cjs');
require('../src/cli.ts');
