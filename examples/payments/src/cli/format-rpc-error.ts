import { type ErrorDetail, isUnknownErrorDetail, type ProtoDuration, type RpcError, statusName } from '@wirekit/core';

/**
 * An `RpcError` as lines for standard error: the code by name and number, the message, then each rich detail in
 * words. It mirrors what `wirekit call` prints, which `@wirekit/cli` does not export.
 *
 * @example
 * formatRpcError(error); // ['ERROR: code = NOT_FOUND (5)', '  message = payment p1 does not exist', …]
 */
export function formatRpcError(error: RpcError): string[] {
  const lines = [`ERROR: code = ${statusName(error.code)} (${error.code})`, `  message = ${error.rawMessage}`];
  for (const detail of error.details) lines.push(...formatDetail(detail).map((line) => `  ${line}`));
  return lines;
}

function formatDetail(detail: ErrorDetail): string[] {
  if (isUnknownErrorDetail(detail)) return [`detail ${detail.typeUrl}: ${detail.value.length} bytes (a type this command cannot decode)`];
  switch (detail.type) {
    case 'google.rpc.BadRequest':
      return ['BadRequest:', ...detail.fieldViolations.map((violation) => `  field "${violation.field}": ${violation.description}`)];
    case 'google.rpc.ErrorInfo':
      return [`ErrorInfo: reason ${detail.reason}, domain ${detail.domain}${pairs(detail.metadata)}`];
    case 'google.rpc.RetryInfo':
      return [`RetryInfo: retry after ${seconds(detail.retryDelay)}`];
    case 'google.rpc.DebugInfo':
      return [`DebugInfo: ${detail.detail}`];
    case 'google.rpc.QuotaFailure':
      return ['QuotaFailure:', ...detail.violations.map((violation) => `  ${violation.subject}: ${violation.description}`)];
    case 'google.rpc.PreconditionFailure':
      return [
        'PreconditionFailure:',
        ...detail.violations.map((violation) => `  ${violation.type} ${violation.subject}: ${violation.description}`),
      ];
    case 'google.rpc.RequestInfo':
      return [`RequestInfo: request id ${detail.requestId}`];
    case 'google.rpc.ResourceInfo':
      return [`ResourceInfo: ${detail.resourceType} "${detail.resourceName}"${detail.description ? `: ${detail.description}` : ''}`];
    case 'google.rpc.Help':
      return ['Help:', ...detail.links.map((link) => `  ${link.description}: ${link.url}`)];
    case 'google.rpc.LocalizedMessage':
      return [`LocalizedMessage (${detail.locale}): ${detail.message}`];
  }
}

function seconds(duration: ProtoDuration): string {
  return `${duration.seconds + duration.nanos / 1e9}s`;
}

function pairs(record: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(record ?? {});
  return entries.length === 0 ? '' : `, ${entries.map(([key, value]) => `${key}=${value}`).join(', ')}`;
}
