// Claim 2, serialization speed, in this one process: Wirekit's protobuf codec (`codec.encode` / `codec.decode`,
// which converts plain objects and lets protobufjs write the wire format) against V8's native JSON.stringify /
// JSON.parse of the equivalent plain objects (the canonical JSON form, made once beforehand). A third pair adds
// the mapping a REST server of these typed messages also pays: `JSON.stringify(codec.toJson(x))` and
// `codec.fromJson(JSON.parse(text))`. Rates are messages per second (the stream's 1,000 events count 1,000;
// protobuf encodes them one by one, JSON as one array, each format's natural form). After a warm-up that also
// sizes each sample to ~`sampleMs`, rounds run every contender in a rotated order; the ratio protobuf / JSON is
// taken within each round and its median reported. Raw protobufjs on prepared message instances (no
// conversion from plain objects either way) is measured too: the floor any JavaScript protobuf codec built on
// it can reach.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { median } from '../report.mjs';

const protoDir = fileURLToPath(new URL('../../examples/payments/proto', import.meta.url));
const root = new protobuf.Root();
// protobufjs bundles google/protobuf/timestamp.proto; everything else is read from the payments protos.
root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : `${protoDir}/${target}`);
root.loadSync('payments/v1/payments.proto');

const CONTENDERS = [
  { name: 'protobuf-encode', direction: 'encode', label: 'protobuf codec.encode' },
  { name: 'json-encode', direction: 'encode', label: 'JSON.stringify' },
  { name: 'json-mapped-encode', direction: 'encode', label: 'JSON.stringify(codec.toJson(x))' },
  { name: 'protobufjs-encode', direction: 'encode', label: 'raw protobufjs encode (prepared instances)' },
  { name: 'protobuf-decode', direction: 'decode', label: 'protobuf codec.decode' },
  { name: 'json-decode', direction: 'decode', label: 'JSON.parse' },
  { name: 'json-mapped-decode', direction: 'decode', label: 'codec.fromJson(JSON.parse(text))' },
  { name: 'protobufjs-decode', direction: 'decode', label: 'raw protobufjs decode (no conversion)' },
];

/** The operations on one message set, each returning a number so the work cannot be optimized away. */
function operations({ codec, values }) {
  const single = values.length === 1;
  const jsonValue = single ? codec.toJson(values[0]) : values.map((value) => codec.toJson(value));
  const jsonText = JSON.stringify(jsonValue);
  const encoded = values.map((value) => codec.encode(value));
  const type = root.lookupType(codec.typeName);
  const instances = encoded.map((bytes) => type.decode(bytes));
  instances.forEach((instance, index) => {
    if (!Buffer.from(type.encode(instance).finish()).equals(Buffer.from(encoded[index]))) {
      throw new Error(`${codec.typeName}: raw protobufjs writes other bytes than Wirekit's codec`);
    }
  });
  return {
    'protobufjs-encode': () => {
      let bytes = 0;
      for (const instance of instances) bytes += type.encode(instance).finish().length;
      return bytes;
    },
    'protobufjs-decode': () => {
      let fields = 0;
      for (const bytes of encoded) fields += type.decode(bytes).$type === type ? 1 : 0;
      return fields;
    },
    'protobuf-encode': () => {
      let bytes = 0;
      for (const value of values) bytes += codec.encode(value).length;
      return bytes;
    },
    'json-encode': () => JSON.stringify(jsonValue).length,
    'json-mapped-encode': () => JSON.stringify(single ? codec.toJson(values[0]) : values.map((value) => codec.toJson(value))).length,
    'protobuf-decode': () => {
      let fields = 0;
      for (const bytes of encoded) fields += Object.keys(codec.decode(bytes)).length;
      return fields;
    },
    'json-decode': () => Object.keys(JSON.parse(jsonText)).length,
    'json-mapped-decode': () => {
      const parsed = JSON.parse(jsonText);
      if (single) return Object.keys(codec.fromJson(parsed)).length;
      let fields = 0;
      for (const item of parsed) fields += Object.keys(codec.fromJson(item)).length;
      return fields;
    },
  };
}

let sink = 0;

function timeIt(operation, iterations) {
  const begin = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) sink += operation();
  return Number(process.hrtime.bigint() - begin) / 1e9;
}

/** How many iterations take about `sampleMs`, found while warming the operation up. */
function calibrate(operation, sampleMs) {
  let iterations = 1;
  for (;;) {
    const seconds = timeIt(operation, iterations);
    if (seconds * 1000 >= sampleMs / 4 || iterations >= 1_000_000)
      return Math.max(1, Math.round((iterations * sampleMs) / (seconds * 1000)));
    iterations *= 2;
  }
}

/**
 * Messages per second for each operation on each message set, and the within-round ratios protobuf / JSON
 * (above 1: protobuf is faster).
 */
export function measureCodecSpeed(messageSets, { rounds, sampleMs }) {
  const rows = [];
  for (const messageSet of messageSets) {
    const ops = operations(messageSet);
    const iterations = {};
    for (const { name } of CONTENDERS) {
      iterations[name] = calibrate(ops[name], sampleMs);
      timeIt(ops[name], iterations[name]); // a full sample more, so the JIT has settled before the rounds
    }
    const rates = Object.fromEntries(CONTENDERS.map(({ name }) => [name, []]));
    const ratios = { encode: [], decode: [], mappedEncode: [], mappedDecode: [], rawEncode: [], rawDecode: [] };
    for (let round = 0; round < rounds; round++) {
      const order = CONTENDERS.map((_, index) => CONTENDERS[(index + round) % CONTENDERS.length]);
      const rate = {};
      for (const { name } of order) rate[name] = (iterations[name] * messageSet.values.length) / timeIt(ops[name], iterations[name]);
      for (const { name } of CONTENDERS) rates[name].push(rate[name]);
      ratios.encode.push(rate['protobuf-encode'] / rate['json-encode']);
      ratios.decode.push(rate['protobuf-decode'] / rate['json-decode']);
      ratios.mappedEncode.push(rate['protobuf-encode'] / rate['json-mapped-encode']);
      ratios.mappedDecode.push(rate['protobuf-decode'] / rate['json-mapped-decode']);
      ratios.rawEncode.push(rate['protobufjs-encode'] / rate['json-encode']);
      ratios.rawDecode.push(rate['protobufjs-decode'] / rate['json-decode']);
    }
    rows.push({
      message: messageSet.name,
      label: messageSet.label,
      rounds,
      messagesPerSecond: Object.fromEntries(CONTENDERS.map(({ name }) => [name, median(rates[name])])),
      protobufOverJson: {
        encode: median(ratios.encode),
        decode: median(ratios.decode),
        encodeWithMapping: median(ratios.mappedEncode),
        decodeWithMapping: median(ratios.mappedDecode),
        rawProtobufjsEncode: median(ratios.rawEncode),
        rawProtobufjsDecode: median(ratios.rawDecode),
      },
    });
  }
  if (sink === 0) throw new Error('codec speed: the operations returned nothing');
  return { contenders: CONTENDERS, rows };
}
