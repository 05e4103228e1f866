// Public API of @wirekit/testing: in-process test apps, contract checks, proto lint and breaking-change detection.

export { createTestApp } from './create-test-app.js';
export type { TestApp, TestAppOptions } from './create-test-app.js';
export { CapturingLogger } from './captured-logs.js';
export type { CapturedLog } from './captured-logs.js';
export type { CapturedTelemetry } from './captured-telemetry.js';
export { checkBreaking, DEFAULT_BREAKING_RULES, formatBreakingChange } from './breaking/check-breaking.js';
export type { BreakingChange, CheckBreakingOptions } from './breaking/check-breaking.js';
export { checkLint, DEFAULT_LINT_EXCEPTIONS, DEFAULT_LINT_RULES } from './lint/check-lint.js';
export type { CheckLintOptions, LintFinding } from './lint/check-lint.js';
export { formatFinding } from './buf/buf-cli.js';
export type { ProtoFinding } from './buf/buf-cli.js';
export { checkContract, ContractError, expectContract } from './contract/check-contract.js';
export type { ContractOptions } from './contract/check-contract.js';
export { readRecordedExchanges } from './contract/recorded-exchange.js';
export type { RecordedExchange, RecordedJson, RecordedStatus } from './contract/recorded-exchange.js';
export { ANY_VALUE } from './contract/json-difference.js';
