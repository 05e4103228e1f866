// Charge and GetPayment as a REST/JSON API on Fastify 5: POST /v1/charges and GET /v1/payments/:id, bodies in
// the proto3 canonical JSON mapping of the same messages (`codec.fromJson` in, `codec.toJson` out), served by
// the payments service's own PaymentHandlers over its in-memory ledger. Over HTTP/1.1 with keep-alive by default;
// with `--http2`, over cleartext HTTP/2 (h2c, prior knowledge). Fastify's defaults otherwise: no logger, its
// default JSON body parser, JSON.stringify for replies (no response schema).
import { parseArgs } from 'node:util';
import { RpcError, Status } from '@wirekit/core';
import Fastify from 'fastify';
import { protos } from '../../../examples/payments/dist/gen/payments.js';
import { reportToHarness } from '../../servers/report-usage.mjs';
import { DEFAULT_STREAM_LIMITS, DELAY_HEADER, holdAsAsked, MemoryLedger, PaymentHandlers } from './payments-logic.mjs';

const { values: options } = parseArgs({ options: { http2: { type: 'boolean', default: false } } });

const chargeRequest = protos.codec('payments.v1.ChargeRequest');
const payment = protos.codec('payments.v1.Payment');
const handlers = new PaymentHandlers(new MemoryLedger(), DEFAULT_STREAM_LIMITS);

// The HTTP status a REST API would give each gRPC status the handlers throw.
const HTTP_STATUS = new Map([
  [Status.INVALID_ARGUMENT, 400],
  [Status.NOT_FOUND, 404],
  [Status.ALREADY_EXISTS, 409],
]);

// Charge and GetPayment read nothing from the call context; a never-aborted signal is there should that change.
const callContext = { signal: new AbortController().signal };

const server = Fastify({ logger: false, http2: options.http2 });
server.setErrorHandler((error, _request, reply) => {
  const status =
    error instanceof RpcError ? (HTTP_STATUS.get(error.code) ?? 500) : error instanceof TypeError ? 400 : (error.statusCode ?? 500);
  void reply.code(status).send({ code: error instanceof RpcError ? error.code : undefined, message: error.message });
});
server.post('/v1/charges', async (request) => {
  await holdAsAsked(request.headers[DELAY_HEADER]);
  return payment.toJson(await handlers.charge(chargeRequest.fromJson(request.body), callContext));
});
server.get('/v1/payments/:id', async (request) => {
  await holdAsAsked(request.headers[DELAY_HEADER]);
  return payment.toJson(await handlers.getPayment({ paymentId: request.params.id }, callContext));
});

await server.listen({ host: '127.0.0.1', port: 0 });
reportToHarness(server.server.address().port, () => server.close());
