import type { Type } from 'protobufjs';
import { expected, FieldTypeError } from './field-type-error.js';
import { isJsonObject } from './json-message.js';
import type { JsonConverter } from './json-scalars.js';
import type { JsonObject, JsonValue } from './json-value.js';
import type { PlainObject } from './message-converter.js';
import { fullNameOf, WRAPPED_SCALARS } from './well-known-types.js';

const ANY_TYPE_PREFIX = 'type.googleapis.com/';

/** Well-known types whose JSON form is not an object of their fields: inside an Any they sit under `value`. */
const CUSTOM_JSON = new Set([
  'google.protobuf.Any',
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
  'google.protobuf.FieldMask',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  ...Object.keys(WRAPPED_SCALARS),
]);

/** What the JSON of google.protobuf.Any needs from the rest of its ProtoSet. */
export interface AnyJsonContext {
  /** A message type of the set by full name; `undefined` when not loaded. */
  readonly findType: (fullName: string) => Type | undefined;
  /** The encoder-ready object of a message of `type` serialized as `bytes`. */
  readonly wireOf: (type: Type, bytes: Uint8Array) => PlainObject;
}

/**
 * google.protobuf.Any: `{ "@type": url, ...fields }`, or `{ "@type": url, "value": json }` for the well-known
 * types with a JSON form of their own; the payload's type is looked up in the ProtoSet by the name the URL
 * ends with. An Any with no type URL is `{}`.
 */
export function anyJson(context: AnyJsonContext, messageJson: (type: Type) => JsonConverter): JsonConverter {
  const payloadType = (url: string): Type => {
    const name = url.slice(url.lastIndexOf('/') + 1);
    const type = name === '' ? undefined : context.findType(name);
    if (type === undefined) {
      throw new FieldTypeError(
        `holds a message of type "${name}" (${JSON.stringify(url)}), which is not in the loaded protos; load the .proto file that defines it into this ProtoSet`,
      );
    }
    return type;
  };
  return {
    toJson: (wire): JsonObject => {
      const url = ((wire as PlainObject).type_url as string | undefined) ?? '';
      if (url === '') return {};
      const type = payloadType(url);
      const bytes = ((wire as PlainObject).value as Uint8Array | undefined) ?? new Uint8Array(0);
      const json = messageJson(type).toJson(context.wireOf(type, bytes));
      return CUSTOM_JSON.has(fullNameOf(type)) ? { '@type': url, value: json } : { '@type': url, ...(json as JsonObject) };
    },
    fromJson: (json) => {
      if (!isJsonObject(json)) throw expected('a JSON object with "@type"', json);
      const keys = Object.keys(json);
      if (keys.length === 0) return {};
      const url = json['@type'];
      if (typeof url !== 'string' || url === '') throw expected(`a type URL ("${ANY_TYPE_PREFIX}<full name>") under "@type"`, url);
      const type = payloadType(url);
      let payload: unknown;
      if (CUSTOM_JSON.has(fullNameOf(type))) {
        payload = json.value;
      } else {
        const fields: JsonObject = {};
        for (const key of keys) if (key !== '@type') fields[key] = json[key] as JsonValue;
        payload = fields;
      }
      const wire = messageJson(type).fromJson(payload);
      return { type_url: url, value: type.encode(wire as PlainObject).finish() };
    },
  };
}
