// Claim 1, payload size: each payments message as protobuf (the bytes Wirekit's codec writes), as JSON in the
// proto3 canonical mapping (`codec.toJson`, then JSON.stringify, as a REST API would send it), and as that JSON
// gzipped (level 6, what HTTP servers commonly use). Bodies only: gRPC's 5-byte length prefix per message and
// HTTP headers are left out on both sides. The stream of 1,000 events is 1,000 protobuf messages against one
// JSON array, each format's natural form; "protobuf + gzip" compresses each message on its own, as gRPC's
// per-message compression does. Every value must survive both round trips, or the sizes mean nothing.
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { comparable } from './messages.mjs';

/** The sizes of one message set in each encoding, and whether both round trips gave the value back. */
export function measureSizes(messageSet) {
  const { codec, values } = messageSet;
  const encoded = values.map((value) => codec.encode(value));
  const protobufBytes = encoded.reduce((sum, bytes) => sum + bytes.length, 0);
  const protobufGzipBytes = encoded.reduce((sum, bytes) => sum + gzipSync(bytes).length, 0);
  const jsonValues = values.map((value) => codec.toJson(value));
  const jsonText = JSON.stringify(values.length === 1 ? jsonValues[0] : jsonValues);
  const jsonBody = Buffer.from(jsonText, 'utf8');
  const gzipped = gzipSync(jsonBody);

  const problems = [];
  values.forEach((value, index) => {
    const want = comparable(value);
    if (!isDeepStrictEqual(comparable(codec.decode(encoded[index])), want))
      problems.push(`${messageSet.name}[${index}]: decode(encode(x)) ≠ x`);
    const parsed = JSON.parse(jsonText);
    const fromText = values.length === 1 ? parsed : parsed[index];
    if (!isDeepStrictEqual(comparable(codec.fromJson(fromText)), want)) problems.push(`${messageSet.name}[${index}]: fromJson(JSON) ≠ x`);
  });
  if (!gunzipSync(gzipped).equals(jsonBody)) problems.push(`${messageSet.name}: gunzip(gzip(JSON)) ≠ JSON`);

  return {
    message: messageSet.name,
    label: messageSet.label,
    messages: values.length,
    protobufBytes,
    protobufGzipBytes,
    jsonBytes: jsonBody.length,
    jsonGzipBytes: gzipped.length,
    jsonToProtobuf: jsonBody.length / protobufBytes,
    jsonGzipToProtobuf: gzipped.length / protobufBytes,
    roundTripsOk: problems.length === 0,
    problems,
  };
}
