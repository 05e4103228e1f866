// The load generator of the end-to-end claims: one client per way of calling Charge and GetPayment, all with the
// same small interface, so the workloads below do not know which protocol they drive.
//
// - gRPC: Wirekit's own client (`createClient`, grpc-js underneath) on ONE channel, which is one HTTP/2
//   connection carrying every call: what a gRPC service normally does, since calls multiplex.
// - REST over HTTP/1.1: an undici Pool with keep-alive, one request per connection at a time (no pipelining,
//   undici's default), `connections` sockets; the throughput runs give it as many as there are calls in flight,
//   as undici's and Node's default agents do (no limit per origin).
// - REST over HTTP/2: ONE node:http2 session (h2c), every request a stream on it, as gRPC does.
//
// Each client answers a "view" of the payment (the fields the checks compare, amounts as decimal strings as the
// canonical JSON has them) or throws an Error whose `status` names what went wrong (`NOT_FOUND`, …).
import http2 from 'node:http2';
import { closeClient, createClient, RpcError, statusName } from '@wirekit/core';
import { Client, Pool } from 'undici';
import { PaymentService } from '../../examples/payments/dist/gen/payments.js';
import { codecs } from './messages.mjs';
import { DELAY_HEADER } from './servers/payments-logic.mjs';

const CALL_TIMEOUT_MS = 30_000;
// What REST statuses mean, in the gRPC names the checks use.
const REST_STATUS = { 400: 'INVALID_ARGUMENT', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS' };

function viewOf(payment) {
  return {
    paymentId: payment.paymentId,
    orderId: payment.orderId,
    amountCents: String(payment.amountCents),
    currency: payment.currency,
    status: payment.status,
    customerId: payment.customerId,
  };
}

function failure(status, message) {
  return Object.assign(new Error(`${status}: ${message}`), { status });
}

/**
 * The charge every workload sends (with its own idempotency key per call), typed for gRPC and in canonical JSON
 * for REST; and the same charge made invalid (amount 0), for the checks.
 */
export function chargeTemplate(charge) {
  const invalid = { ...charge, amountCents: 0n };
  return {
    valid: { typed: charge, json: codecs.ChargeRequest.toJson(charge) },
    invalid: { typed: invalid, json: codecs.ChargeRequest.toJson(invalid) },
  };
}

/** Charge and GetPayment over gRPC through Wirekit's client, on one connection of its own. */
export function grpcClient(port, template) {
  const client = createClient(PaymentService, `127.0.0.1:${port}`, { grpcOptions: { 'grpc.use_local_subchannel_pool': 1 } });
  const call = async (run) => {
    try {
      return viewOf(await run());
    } catch (error) {
      throw error instanceof RpcError ? failure(statusName(error.code), error.message) : error;
    }
  };
  return {
    charge: (idempotencyKey, variant = 'valid') =>
      call(() => client.charge({ ...template[variant].typed, idempotencyKey }, { timeoutMs: CALL_TIMEOUT_MS })),
    getPayment: (paymentId, delayMs) =>
      call(() =>
        client.getPayment(
          { paymentId },
          delayMs === undefined
            ? { timeoutMs: CALL_TIMEOUT_MS }
            : { timeoutMs: CALL_TIMEOUT_MS, metadata: { [DELAY_HEADER]: String(delayMs) } },
        ),
      ),
    close: async () => closeClient(client),
  };
}

function restAnswer(status, text) {
  if (status === 200) return viewOf(JSON.parse(text));
  throw failure(REST_STATUS[status] ?? `HTTP_${status}`, text);
}

/**
 * Charge and GetPayment over REST on HTTP/1.1 keep-alive: an undici Pool of `connections` sockets, or with
 * `connections: 1` a single undici Client, sending `pipelining` requests ahead on a socket (1: none).
 */
export function http1Client(port, template, { connections, pipelining = 1 }) {
  const origin = `http://127.0.0.1:${port}`;
  const options = { pipelining, keepAliveTimeout: 60_000, headersTimeout: CALL_TIMEOUT_MS, bodyTimeout: CALL_TIMEOUT_MS };
  const dispatcher = connections === 1 ? new Client(origin, options) : new Pool(origin, { ...options, connections });
  const send = async (request) => {
    const { statusCode, body } = await dispatcher.request(request);
    return restAnswer(statusCode, await body.text());
  };
  return {
    charge: (idempotencyKey, variant = 'valid') =>
      send({
        path: '/v1/charges',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...template[variant].json, idempotencyKey }),
      }),
    getPayment: (paymentId, delayMs) =>
      send({
        path: `/v1/payments/${paymentId}`,
        method: 'GET',
        headers: delayMs === undefined ? {} : { [DELAY_HEADER]: String(delayMs) },
      }),
    close: () => dispatcher.close(),
  };
}

/** Charge and GetPayment over REST on one cleartext HTTP/2 session (h2c). */
export function http2Client(port, template) {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  let sessionError;
  session.on('error', (error) => {
    sessionError = error;
  });
  const send = (headers, body) =>
    new Promise((resolve, reject) => {
      if (sessionError) {
        reject(sessionError);
        return;
      }
      const stream = session.request(headers);
      let status = 0;
      let text = '';
      stream.setEncoding('utf8');
      stream.setTimeout(CALL_TIMEOUT_MS, () => stream.close(http2.constants.NGHTTP2_CANCEL));
      stream.on('response', (response) => {
        status = response[':status'];
      });
      stream.on('data', (chunk) => {
        text += chunk;
      });
      stream.on('error', reject);
      stream.on('close', () => {
        try {
          resolve(restAnswer(status, text));
        } catch (error) {
          reject(error);
        }
      });
      stream.end(body);
    });
  return {
    charge: (idempotencyKey, variant = 'valid') =>
      send(
        { ':method': 'POST', ':path': '/v1/charges', 'content-type': 'application/json' },
        JSON.stringify({ ...template[variant].json, idempotencyKey }),
      ),
    getPayment: (paymentId, delayMs) =>
      send({
        ':method': 'GET',
        ':path': `/v1/payments/${paymentId}`,
        ...(delayMs === undefined ? {} : { [DELAY_HEADER]: String(delayMs) }),
      }),
    // A session the server already ended (Fastify closes idle ones) would never call back from close().
    close: () => new Promise((resolve) => (session.closed || session.destroyed ? resolve() : session.close(resolve))),
  };
}

/** Nearest-rank percentile of an ascending array; null for none. */
export function percentile(sorted, fraction) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

function sameView(a, b) {
  return Object.keys(a).every((key) => a[key] === b[key]);
}

/**
 * The throughput workload: `pairs` Charge-then-GetPayment pairs, `concurrency` pairs in flight. Each charge
 * must come back SUCCEEDED with the amount sent, and its GetPayment must return the same payment. Counts what
 * went wrong instead of throwing; latencies are per call, in milliseconds.
 */
export async function chargeAndGet(client, { pairs, concurrency, keyPrefix, template }) {
  const latencies = new Float64Array(pairs * 2);
  const result = { calls: 0, errors: 0, firstError: undefined };
  const amount = String(template.valid.typed.amountCents);
  let started = 0;
  const timed = async (run) => {
    const begin = performance.now();
    const answer = await run();
    latencies[result.calls++] = performance.now() - begin;
    return answer;
  };
  const worker = async () => {
    while (started < pairs) {
      const key = `${keyPrefix}-${started++}`;
      try {
        const charged = await timed(() => client.charge(key));
        if (charged.status !== 'PAYMENT_STATUS_SUCCEEDED' || charged.amountCents !== amount) {
          throw new Error(`Charge answered ${JSON.stringify(charged)}`);
        }
        const found = await timed(() => client.getPayment(charged.paymentId));
        if (!sameView(found, charged)) throw new Error(`GetPayment answered ${JSON.stringify(found)} for ${JSON.stringify(charged)}`);
      } catch (error) {
        result.errors++;
        result.firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  const begin = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, pairs) }, worker));
  const seconds = (performance.now() - begin) / 1000;
  const sorted = latencies.subarray(0, result.calls).sort();
  return { ...result, seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

/**
 * The answers a correct server gives, checked on each client before anything is timed: a charge, its look-up,
 * a look-up of a payment that does not exist (NOT_FOUND) and an invalid charge (INVALID_ARGUMENT).
 */
export async function checkAnswers(client, keyPrefix) {
  const problems = [];
  const expectFailure = async (what, status, run) => {
    try {
      problems.push(`${what} succeeded: ${JSON.stringify(await run())}`);
    } catch (error) {
      if (error?.status !== status)
        problems.push(`${what}: expected ${status}, got ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  try {
    const charged = await client.charge(`${keyPrefix}-check`);
    const again = await client.charge(`${keyPrefix}-check`);
    const found = await client.getPayment(charged.paymentId);
    if (!charged.paymentId.startsWith('pay_') || charged.status !== 'PAYMENT_STATUS_SUCCEEDED')
      problems.push(`Charge: ${JSON.stringify(charged)}`);
    if (!sameView(again, charged)) problems.push('Charge with the same idempotency key made another payment');
    if (!sameView(found, charged)) problems.push(`GetPayment: ${JSON.stringify(found)} for ${JSON.stringify(charged)}`);
  } catch (error) {
    problems.push(`Charge/GetPayment failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  await expectFailure('GetPayment of an unknown id', 'NOT_FOUND', () => client.getPayment('pay_does_not_exist'));
  await expectFailure('a charge of amount 0', 'INVALID_ARGUMENT', () => client.charge(`${keyPrefix}-invalid`, 'invalid'));
  return problems;
}

/**
 * One head-of-line trial on one client: a GetPayment the server holds `delayMs`, and meanwhile fast GetPayments
 * one after another on the same client, until the slow one settles. Reports each fast call's latency and
 * whether it finished while the slow call was still in flight.
 */
export async function headOfLineTrial(client, { paymentId, delayMs }) {
  let slowSettled = false;
  const begin = performance.now();
  const slow = client.getPayment(paymentId, delayMs).finally(() => {
    slowSettled = true;
  });
  const fast = [];
  let wrong = 0;
  // The loop ends when the slow call settles (a condition, not a timer); the cap only guards against a bug.
  while (!slowSettled && fast.length < 100_000) {
    const start = performance.now();
    const answer = await client.getPayment(paymentId);
    fast.push({ ms: performance.now() - start, whileSlowInFlight: !slowSettled });
    if (answer.paymentId !== paymentId) wrong++;
  }
  const slowAnswer = await slow;
  const slowMs = performance.now() - begin;
  if (slowAnswer.paymentId !== paymentId) wrong++;
  return { slowMs, fast, wrong };
}
