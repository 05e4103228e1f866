import protobuf from 'protobufjs';
import { ProtoSet } from './protos/proto-set.js';

const protos = ProtoSet.load('/tmp/bench/payments.proto');
const codec = protos.codec('payments.v1.Payment');
const value = { paymentId: 'pay_123456', amountCents: 125000n, currency: 'EUR', status: 'PAYMENT_STATUS_SETTLED', createdAt: { seconds: 1700000000n, nanos: 123000000 }, tags: ['card', 'eu'], metadata: { order: 'o-1' } };
const root = new protobuf.Root();
root.loadSync('/tmp/bench/payments.proto');
const T = root.lookupType('payments.v1.Payment');
const pbValue = { paymentId: 'pay_123456', amountCents: '125000', currency: 'EUR', status: 'PAYMENT_STATUS_SETTLED', createdAt: { seconds: '1700000000', nanos: 123000000 }, tags: ['card', 'eu'], metadata: { order: 'o-1' } };
const opts = { longs: String, enums: String, defaults: true, arrays: true, objects: true };
const bytes = codec.encode(value);
const N = 500000;
let sink = 0;
const run = (label, fn) => {
  for (let i = 0; i < 100000; i++) fn();
  const times = [];
  for (let r = 0; r < 7; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) fn(); times.push(Number(process.hrtime.bigint() - t) / N); }
  times.sort((a, b) => a - b);
  console.log(label.padEnd(52), `${times[3].toFixed(0)} ns (median of 7), best ${times[0].toFixed(0)} ns`);
};
console.log('message bytes:', bytes.length);
run('wirekit codec encode+decode', () => { sink += codec.decode(codec.encode(value)).currency.length; });
run('protobufjs fromObject+encode+decode+toObject', () => { sink += T.toObject(T.decode(T.encode(T.fromObject(pbValue)).finish()), opts).currency.length; });
const msg = T.fromObject(pbValue);
run('protobufjs raw encode+decode (no conversion)', () => { sink += T.decode(T.encode(msg).finish()).currency.length; });
run('wirekit encode', () => { sink += codec.encode(value).length; });
run('protobufjs fromObject+encode', () => { sink += T.encode(T.fromObject(pbValue)).finish().length; });
run('wirekit decode', () => { sink += codec.decode(bytes).currency.length; });
run('protobufjs decode+toObject', () => { sink += T.toObject(T.decode(bytes), opts).currency.length; });
console.log(sink > 0);
