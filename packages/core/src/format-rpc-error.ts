import { type ErrorDetail, isUnknownErrorDetail, type ProtoDuration } from './error-details.js';
import type { RpcError } from './rpc-error.js';
import { statusName } from './status.js';

/**
 * An `RpcError` as lines a person reads (what `wirekit call` and the payments command print on standard error):
 * the code by name and number, the message, then each rich detail in words, so that nobody has to decode
 * `grpc-status-details-bin` by hand.
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
  if (isUnknownErrorDetail(detail)) return [`detail ${detail.typeUrl}: ${detail.value.length} bytes (a detail type Wirekit cannot decode)`];
  switch (detail.type) {
    case 'google.rpc.BadRequest':
      return [
        'BadRequest:',
        ...detail.fieldViolations.map(
          (violation) => `  field "${violation.field}": ${violation.description}${violation.reason ? ` (reason ${violation.reason})` : ''}`,
        ),
      ];
    case 'google.rpc.ErrorInfo':
      return [`ErrorInfo: reason ${detail.reason}, domain ${detail.domain}${entries(detail.metadata)}`];
    case 'google.rpc.RetryInfo':
      return [`RetryInfo: retry after ${seconds(detail.retryDelay)}`];
    case 'google.rpc.DebugInfo':
      return [`DebugInfo: ${detail.detail}`, ...(detail.stackEntries ?? []).map((entry) => `  at ${entry}`)];
    case 'google.rpc.QuotaFailure':
      return ['QuotaFailure:', ...detail.violations.map((violation) => `  ${violation.subject}: ${violation.description}`)];
    case 'google.rpc.PreconditionFailure':
      return [
        'PreconditionFailure:',
        ...detail.violations.map((violation) => `  ${violation.type} ${violation.subject}: ${violation.description}`),
      ];
    case 'google.rpc.RequestInfo':
      return [`RequestInfo: request id ${detail.requestId}${detail.servingData ? `, serving data ${detail.servingData}` : ''}`];
    case 'google.rpc.ResourceInfo':
      return [
        `ResourceInfo: ${detail.resourceType} "${detail.resourceName}"${detail.owner ? ` owned by ${detail.owner}` : ''}${detail.description ? `: ${detail.description}` : ''}`,
      ];
    case 'google.rpc.Help':
      return ['Help:', ...detail.links.map((link) => `  ${link.description}: ${link.url}`)];
    case 'google.rpc.LocalizedMessage':
      return [`LocalizedMessage (${detail.locale}): ${detail.message}`];
  }
}

function seconds(duration: ProtoDuration): string {
  return `${duration.seconds + duration.nanos / 1e9}s`;
}

function entries(record: Readonly<Record<string, string>> | undefined): string {
  const pairs = Object.entries(record ?? {});
  return pairs.length === 0 ? '' : `, ${pairs.map(([key, value]) => `${key}=${value}`).join(', ')}`;
}
