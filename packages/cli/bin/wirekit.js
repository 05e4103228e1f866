#!/usr/bin/env node
// The `wirekit` command. This file is committed (dist/ is built), so npm links the bin at install time on a
// fresh clone, before the first build.
await import('../dist/main.js');
