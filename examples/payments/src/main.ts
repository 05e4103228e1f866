import { createPaymentsApp } from './payments-app.js';

const address = process.env.PAYMENTS_ADDR ?? '127.0.0.1:50051';
const app = createPaymentsApp();
const { address: listening } = await app.listen(address);

process.stdout.write(
  [
    '',
    `  Wirekit payments service listening on ${listening} (plaintext; health and reflection on)`,
    '  Store: in memory (this first version keeps payments until the process exits)',
    '',
    '  Try it from another terminal, with grpcurl or any gRPC client:',
    `    grpcurl -plaintext ${listening} list`,
    `    grpcurl -plaintext -d '{"order_id":"o1","amount_cents":"1250","currency":"EUR","customer_id":"c1"}' ${listening} payments.v1.PaymentService/Charge`,
    '',
    '  Ctrl-C (SIGINT) or SIGTERM stops it gracefully.',
    '',
  ].join('\n'),
);
