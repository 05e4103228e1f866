#!/usr/bin/env node
// The `wirekit-generate` command; all of its logic is in run-cli.ts, where tests call it.
import { runCli } from './run-cli.js';

process.exitCode = runCli(process.argv.slice(2));
