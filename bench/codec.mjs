// The message codec's cost: nanoseconds per encode + decode of a typical payments.v1.Payment (metadata map
// and a Timestamp), for Wirekit's codec, @grpc/proto-loader's default conversion (what a grpc-js service
// built on proto-loader pays), and raw protobufjs without conversion (the floor both are built on). All
// three run in one process, in interleaved rounds after a warm-up; medians over the rounds, since the
// machine is shared and noisy. Run after `npm run build`: `node bench/codec.mjs [--quick]`.
import { fileURLToPath } from 'node:url';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { ProtoSet } from '../packages/core/dist/index.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 15;
const iterations = quick ? 2_000 : 20_000;

const protoDir = fileURLToPath(new URL('../examples/payments/proto', import.meta.url));
const protoFile = 'payments/v1/payments.proto';
const createdMs = Date.UTC(2026, 2, 14, 9, 30, 15, 123);
const metadata = { channel: 'web', region: 'eu-west-1', campaign: 'spring-sale', cart_id: 'c_8f14e45fceea167a' };
const payment = {
  paymentId: 'pay_01HZX3K8M2Q7V9T4R6W1Y5N0BC',
  orderId: 'ord_2026_000184467',
  amountCents: 129_900n,
  currency: 'EUR',
  status: 'PAYMENT_STATUS_SUCCEEDED',
  customerId: 'cus_7c9e6679f4254ad5',
  metadata,
};

// Wirekit. The payment takes the Timestamp as a Date where the codec maps it so, else as { seconds, nanos }.
const protos = ProtoSet.load(protoFile, { includeDirs: [protoDir] });
const codec = protos.codec('payments.v1.Payment');
const asDate = codec.decode(codec.encode({ createdAt: new Date(createdMs) })).createdAt instanceof Date;
const ours = {
  ...payment,
  createdAt: asDate ? new Date(createdMs) : { seconds: BigInt(Math.floor(createdMs / 1000)), nanos: (createdMs % 1000) * 1_000_000 },
};

// @grpc/proto-loader with its default options: Longs, enum numbers, Buffers, no defaults filled in. Its
// package definition serializes messages per method; GetPayment answers a Payment.
const definition = protoLoader.loadSync(protoFile, { includeDirs: [protoDir] });
const getPayment = definition['payments.v1.PaymentService'].GetPayment;
const loaderInput = {
  ...payment,
  amountCents: 129_900,
  status: 1,
  createdAt: { seconds: Math.floor(createdMs / 1000), nanos: (createdMs % 1000) * 1_000_000 },
};

// protobufjs alone: a message instance made once, encoded and decoded with no conversion either way.
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : `${protoDir}/${target}`);
root.loadSync(protoFile);
const Payment = root.lookupType('payments.v1.Payment');
const rawMessage = Payment.fromObject(loaderInput);

const contenders = {
  wirekit: () => codec.decode(codec.encode(ours)),
  'proto-loader': () => getPayment.responseDeserialize(getPayment.responseSerialize(loaderInput)),
  'protobufjs (raw)': () => Payment.decode(Payment.encode(rawMessage).finish()),
};

// The same bytes from each, or the comparison means nothing.
const reference = Buffer.from(Payment.encode(rawMessage).finish()).toString('hex');
const bytesOf = {
  wirekit: codec.encode(ours),
  'proto-loader': getPayment.responseSerialize(loaderInput),
  'protobufjs (raw)': Payment.encode(rawMessage).finish(),
};
for (const [name, bytes] of Object.entries(bytesOf)) {
  if (Buffer.from(bytes).toString('hex') !== reference) throw new Error(`${name} encodes different bytes`);
}

let sink = 0;
function nsPerOp(run) {
  const begin = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink += run().paymentId.length;
  return Number(process.hrtime.bigint() - begin) / iterations;
}

for (const run of Object.values(contenders)) for (let i = 0; i < 3; i++) nsPerOp(run); // warm-up

const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
const ratios = [];
for (let round = 0; round < rounds; round++) {
  const names = Object.keys(contenders);
  // Rotate the order each round, so no contender always runs right after another's garbage.
  const order = names.map((_, i) => names[(i + round) % names.length]);
  const times = {};
  for (const name of order) times[name] = nsPerOp(contenders[name]);
  for (const name of names) samples[name].push(times[name]);
  ratios.push(times.wirekit / times['proto-loader']);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const floor = median(samples['protobufjs (raw)']);
console.log(
  `payments.v1.Payment, ${bytesOf.wirekit.length} bytes; ${rounds} rounds × ${iterations} encode+decode; Node ${process.version}`,
);
console.log(`Timestamp given to Wirekit as ${asDate ? 'a Date' : '{ seconds, nanos }'}\n`);
console.log('codec                 median ns/op   min ns/op   × raw protobufjs');
for (const [name, values] of Object.entries(samples)) {
  const med = median(values);
  console.log(
    `${name.padEnd(20)}  ${med.toFixed(0).padStart(12)}  ${Math.min(...values)
      .toFixed(0)
      .padStart(10)}   ${(med / floor).toFixed(2).padStart(8)}`,
  );
}
console.log(`\nwirekit / proto-loader: ${median(ratios).toFixed(2)} (median of the per-round ratios)`);
if (sink === 0) console.log(''); // keeps the decoded results observable
