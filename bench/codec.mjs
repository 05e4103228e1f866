// The message codec's CPU cost per message on a server, which decodes requests and encodes responses: CPU
// nanoseconds (process.cpuUsage, so time the process spends descheduled on a busy machine is not counted) per
// encode and per decode of a typical payments.v1.Payment (a metadata map, a 64-bit amount, an enum and a
// Timestamp), for Wirekit's codec, @grpc/proto-loader's default conversion (what a grpc-js service built on
// proto-loader pays), and raw protobufjs without conversion (the floor both are built on). All three run in one
// process, in interleaved rounds after a warm-up, the order rotated each round; the ratios to proto-loader are
// medians of the per-round ratios, since the machine is shared and noisy and a round's contenders share its noise.
// Every contender must encode the same bytes, and decode them to a message that encodes to the same bytes again,
// or the run stops: a comparison of different work means nothing.
//
//   node bench/codec.mjs              # 15 rounds; prints the table, writes docs/benchmarks-codec.json
//   node bench/codec.mjs --quick      # a second: checks every contender's bytes agree (never a speed)
//   options: --rounds N, --out FILE
//
// Run after `tsc -b`: it imports packages/core/dist.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { ProtoSet } from '../packages/core/dist/index.js';
import { formatJson } from './format-json.mjs';

// Not strict: `npm run bench` gives every script of a suite the same flags.
const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    out: { type: 'string' },
  },
  strict: false,
});
const quick = options.quick === true;
const rounds = Number(options.rounds ?? (quick ? 1 : 15));
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) throw new Error('--rounds takes a whole number from 1 to 100');
const iterations = quick ? 200 : 50_000;
const defaultOut = quick ? undefined : fileURLToPath(new URL('../docs/benchmarks-codec.json', import.meta.url));
const out = typeof options.out === 'string' ? options.out : defaultOut;

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

// Wirekit: the Timestamp as a Date, as the codec maps it.
const protos = ProtoSet.load(protoFile, { includeDirs: [protoDir] });
const codec = protos.codec('payments.v1.Payment');
const ours = { ...payment, createdAt: new Date(createdMs) };

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

/** Per contender: encode the payment, and decode bytes (a Buffer, as grpc-js hands them over) into a message. */
const contenders = {
  wirekit: { encode: () => codec.encode(ours), decode: (bytes) => codec.decode(bytes), reencode: (message) => codec.encode(message) },
  'proto-loader': {
    encode: () => getPayment.responseSerialize(loaderInput),
    decode: (bytes) => getPayment.responseDeserialize(bytes),
    reencode: (message) => getPayment.responseSerialize(message),
  },
  'protobufjs (raw)': {
    encode: () => Payment.encode(rawMessage).finish(),
    decode: (bytes) => Payment.decode(bytes),
    reencode: (message) => Payment.encode(message).finish(),
  },
};
const names = Object.keys(contenders);

// The same bytes from each, and the same again from what each decodes, or the comparison means nothing.
const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const wire = Buffer.from(contenders['protobufjs (raw)'].encode());
const encodings = Object.fromEntries(names.map((name) => [name, hex(contenders[name].encode())]));
const reencodings = Object.fromEntries(names.map((name) => [name, hex(contenders[name].reencode(contenders[name].decode(wire)))]));
for (const name of names) {
  if (encodings[name] !== hex(wire)) throw new Error(`${name} encodes different bytes`);
  if (reencodings[name] !== hex(wire)) throw new Error(`${name} decodes to a message that encodes different bytes`);
}
const decoded = codec.decode(wire);
if (decoded.amountCents !== payment.amountCents || decoded.createdAt.getTime() !== createdMs || decoded.status !== payment.status) {
  throw new Error('wirekit decodes other values than it was given');
}

let sink = 0;
/** CPU time (user and system, the garbage collector's threads included) per operation: what a server pays. */
function nsPerOp(operation, run) {
  const begin = process.cpuUsage();
  if (operation === 'encode') for (let i = 0; i < iterations; i++) sink += run().length;
  else for (let i = 0; i < iterations; i++) sink += run(wire).paymentId.length;
  const { user, system } = process.cpuUsage(begin);
  return ((user + system) * 1000) / iterations;
}

const steps = names.flatMap((name) => ['encode', 'decode'].map((operation) => ({ name, operation })));
for (const { name, operation } of steps) for (let i = 0; i < 3; i++) nsPerOp(operation, contenders[name][operation]); // warm-up

const samples = Object.fromEntries(names.map((name) => [name, { encode: [], decode: [] }]));
const ratios = { encode: [], decode: [], total: [] };
for (let round = 0; round < rounds; round++) {
  // Rotate the order each round, so no measurement always runs right after another's garbage.
  const order = steps.map((_, i) => steps[(i + round) % steps.length]);
  const times = Object.fromEntries(names.map((name) => [name, {}]));
  for (const { name, operation } of order) times[name][operation] = nsPerOp(operation, contenders[name][operation]);
  for (const name of names) for (const operation of ['encode', 'decode']) samples[name][operation].push(times[name][operation]);
  const ours = times.wirekit;
  const theirs = times['proto-loader'];
  ratios.encode.push(ours.encode / theirs.encode);
  ratios.decode.push(ours.decode / theirs.decode);
  ratios.total.push((ours.encode + ours.decode) / (theirs.encode + theirs.decode));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const rows = names.map((name) => {
  const { encode, decode } = samples[name];
  const totals = encode.map((ns, i) => ns + decode[i]);
  return { name, encodeNs: median(encode), decodeNs: median(decode), totalNs: median(totals) };
});
// Per round, each contender's [encode ns, decode ns]: short arrays, which keep the file as the formatter writes it.
const perRound = samples.wirekit.encode.map((_, round) =>
  Object.fromEntries(names.map((name) => [name, [samples[name].encode[round], samples[name].decode[round]]])),
);
const ratio = { encode: median(ratios.encode), decode: median(ratios.decode), total: median(ratios.total) };

console.log(`payments.v1.Payment, ${wire.length} bytes; ${rounds} rounds × ${iterations} of each operation; Node ${process.version}\n`);
console.log('codec                 encode ns   decode ns   encode+decode ns');
for (const row of rows) {
  const cells = [row.encodeNs, row.decodeNs, row.totalNs].map((ns, i) => ns.toFixed(0).padStart(i === 2 ? 18 : 10));
  console.log(`${row.name.padEnd(20)}  ${cells.join('  ')}`);
}
console.log(
  `\nwirekit / proto-loader (median of the per-round ratios): encode ${ratio.encode.toFixed(2)}, decode ${ratio.decode.toFixed(2)}, encode+decode ${ratio.total.toFixed(2)}`,
);
if (sink === 0) console.log(''); // keeps the results observable

if (out !== undefined) {
  writeFileSync(
    out,
    formatJson({
      quick,
      rounds,
      iterations,
      node: process.version,
      message: 'payments.v1.Payment',
      bytes: wire.length,
      ratio,
      rows,
      samples: perRound,
      encodings,
      reencodings,
    }),
  );
}
