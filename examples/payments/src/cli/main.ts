#!/usr/bin/env node
import { processIo } from './cli-io.js';
import { runPaymentsCli } from './run-payments-cli.js';

// The first Ctrl-C ends the running call (a `watch --follow` then exits 0); a second one kills the process, as
// the listener is gone by then.
const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort(new Error('interrupted (SIGINT)')));
process.exitCode = await runPaymentsCli(process.argv.slice(2), processIo(interrupted.signal));
