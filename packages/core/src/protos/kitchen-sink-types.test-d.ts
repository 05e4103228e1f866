// Type tests: compiled by `npm run typecheck` (tsc), never run. They pin the TypeScript the generator writes for
// every kind of field of kitchen_sink.proto, so that generated types and the values the codecs give agree.
// Each `@ts-expect-error` must meet an error, so a check that stops catching a mistake fails the build.
import { expectTypeOf } from 'vitest';
import type { MessageCodec } from '../definition.js';
import type { MessageInit } from '../message-init.js';
import type { JsonObject, JsonValue } from './json-value.js';
import {
  type Any,
  type Color,
  type Duration,
  type Empty,
  KitchenService,
  type KitchenSink,
  type KitchenSink_Nested,
  type KitchenSink_Nested_Mood,
  type PhoneNumber,
} from './test-support/kitchen-sink.generated.js';
import type { KitchenSink as KitchenSinkWithStringLongs } from './test-support/kitchen-sink-longs.generated.js';

// Scalars: 64-bit integers are bigints, the rest plain JavaScript values, always present.
expectTypeOf<KitchenSink['anInt64']>().toEqualTypeOf<bigint>();
expectTypeOf<KitchenSink['aUint64']>().toEqualTypeOf<bigint>();
expectTypeOf<KitchenSink['aSint64']>().toEqualTypeOf<bigint>();
expectTypeOf<KitchenSink['aFixed64']>().toEqualTypeOf<bigint>();
expectTypeOf<KitchenSink['anSfixed64']>().toEqualTypeOf<bigint>();
expectTypeOf<KitchenSink['anInt32']>().toEqualTypeOf<number>();
expectTypeOf<KitchenSink['aDouble']>().toEqualTypeOf<number>();
expectTypeOf<KitchenSink['aBool']>().toEqualTypeOf<boolean>();
expectTypeOf<KitchenSink['aString']>().toEqualTypeOf<string>();
expectTypeOf<KitchenSink['aBytes']>().toEqualTypeOf<Uint8Array>();

// Given as MessageInit (requests, handlers' responses): bytes take a Node Buffer, which is a Uint8Array.
export const buffers: MessageInit<KitchenSink> = {
  aBytes: Buffer.from('hi'),
  blobs: [Buffer.alloc(2), new Uint8Array(1)],
  wrappedBytes: Buffer.from([0]),
};
// 64-bit integers take a bigint, never a number (which rounds past 2^53) nor, with bigint longs, a string.
export const longs: MessageInit<KitchenSink> = { anInt64: -1n, aUint64: 2n ** 64n - 1n, packedLongs: [1n], totals: { a: 0n } };
// @ts-expect-error int64 takes no number
export const int64Number: MessageInit<KitchenSink> = { anInt64: 1 };
// @ts-expect-error uint64 takes no number
export const uint64Number: MessageInit<KitchenSink> = { aUint64: 1 };
// @ts-expect-error sint64 takes no number
export const sint64Number: MessageInit<KitchenSink> = { aSint64: 1 };
// @ts-expect-error fixed64 takes no number
export const fixed64Number: MessageInit<KitchenSink> = { aFixed64: 1 };
// @ts-expect-error sfixed64 takes no number
export const sfixed64Number: MessageInit<KitchenSink> = { anSfixed64: 1 };
// @ts-expect-error repeated 64-bit integers take no numbers
export const longListNumbers: MessageInit<KitchenSink> = { packedLongs: [1] };
// @ts-expect-error map values of a 64-bit type take no numbers
export const longMapNumbers: MessageInit<KitchenSink> = { totals: { a: 1 } };
// @ts-expect-error 64-bit wrappers and optionals take no numbers
export const wrappedLongNumber: MessageInit<KitchenSink> = { wrappedInt64: 1, maybeUint64: 2 };
// @ts-expect-error with bigint longs, a decimal string is no 64-bit integer either
export const int64String: MessageInit<KitchenSink> = { anInt64: '1' };
// With `--longs string`, the same fields take decimal strings, and still no number.
export const stringLongs: MessageInit<KitchenSinkWithStringLongs> = { anInt64: '-9223372036854775808', packedLongs: ['1'] };
// @ts-expect-error with string longs, a number is refused too
export const stringLongsNumber: MessageInit<KitchenSinkWithStringLongs> = { anInt64: 1 };

// Enums: a value name, or the number of a value this proto does not name.
expectTypeOf<KitchenSink['color']>().toEqualTypeOf<Color | number>();
expectTypeOf<KitchenSink['mood']>().toEqualTypeOf<KitchenSink_Nested_Mood | number>();
expectTypeOf<KitchenSink['colors']>().toEqualTypeOf<(Color | number)[]>();
expectTypeOf<Color>().toEqualTypeOf<'COLOR_UNSPECIFIED' | 'COLOR_RED' | 'COLOR_GREEN'>();

// Messages, repeated fields and maps (keys are strings, 64-bit ones in decimal).
expectTypeOf<KitchenSink['nested']>().toEqualTypeOf<KitchenSink_Nested | undefined>();
expectTypeOf<KitchenSink['packedLongs']>().toEqualTypeOf<bigint[]>();
expectTypeOf<KitchenSink['nestedList']>().toEqualTypeOf<KitchenSink_Nested[]>();
expectTypeOf<KitchenSink['namesByLong']>().toEqualTypeOf<Record<string, string>>();
expectTypeOf<KitchenSink['totals']>().toEqualTypeOf<Record<string, bigint>>();
expectTypeOf<KitchenSink['nestedById']>().toEqualTypeOf<Record<string, KitchenSink_Nested>>();
// An enum map value is a name or a number; a bool key is "true" or "false", a string like every key.
expectTypeOf<KitchenSink['colorsByUlong']>().toEqualTypeOf<Record<string, Color | number>>();
expectTypeOf<KitchenSink['countsByFlag']>().toEqualTypeOf<Record<string, number>>();
export const maps: MessageInit<KitchenSink> = {
  nestedById: { '7': { note: 'partial' } },
  colorsByUlong: { '18446744073709551615': 'COLOR_RED', '1': 42 },
  countsByFlag: { true: 1, false: 0 },
};
// @ts-expect-error an enum map value is a name of the enum or a number
export const wrongColor: MessageInit<KitchenSink> = { colorsByUlong: { '1': 'COLOR_PURPLE' } };
// @ts-expect-error a message map value is an object
export const wrongNested: MessageInit<KitchenSink> = { nestedById: { '1': 'note' } };

// proto3 `optional`: an optional property, not a union.
expectTypeOf<KitchenSink['maybeInt32']>().toEqualTypeOf<number | undefined>();
expectTypeOf<KitchenSink['maybeUint64']>().toEqualTypeOf<bigint | undefined>();
expectTypeOf<KitchenSink['maybeColor']>().toEqualTypeOf<Color | number | undefined>();

// A oneof: one property, a union discriminated by `case`.
expectTypeOf<KitchenSink['choice']>().toEqualTypeOf<
  | { case: 'choiceText'; value: string }
  | { case: 'choiceNumber'; value: bigint }
  | { case: 'choiceNested'; value: KitchenSink_Nested }
  | undefined
>();
expectTypeOf<KitchenSink['contact']>().toEqualTypeOf<
  | { case: 'email'; value: string }
  | { case: 'phone'; value: PhoneNumber }
  | { case: 'contactAfter'; value: Date }
  | { case: 'contactNote'; value: JsonValue }
  | undefined
>();
expectTypeOf<KitchenSink>().not.toHaveProperty('choiceText');
export function describeChoice(sink: KitchenSink): string {
  switch (sink.choice?.case) {
    case 'choiceNumber':
      expectTypeOf(sink.choice.value).toEqualTypeOf<bigint>();
      return `number ${sink.choice.value}`;
    case 'choiceNested':
      return `nested ${sink.choice.value.note}`;
    default:
      return 'text or nothing';
  }
}
export const oneMember: MessageInit<KitchenSink> = { choice: { case: 'choiceText', value: 'hi' } };
// @ts-expect-error two members of one oneof cannot be set
export const twoMembers: MessageInit<KitchenSink> = { choice: { case: 'choiceText', value: 'hi', choiceNumber: 1n } };
// @ts-expect-error members are no properties of their own, as they were when oneofs were flattened
export const flattened: MessageInit<KitchenSink> = { choiceText: 'hi', choiceNumber: 1n };
// @ts-expect-error a case the oneof does not have
export const unknownCase: MessageInit<KitchenSink> = { choice: { case: 'choiceColor', value: 'x' } };
// @ts-expect-error the value of another case
export const wrongValue: MessageInit<KitchenSink> = { choice: { case: 'choiceNumber', value: 'one' } };
// A message member may be given partly, like any message.
export const partialMember: MessageInit<KitchenSink> = { contact: { case: 'phone', value: {} } };

// google.protobuf.Timestamp: a Date.
expectTypeOf<KitchenSink['createdAt']>().toEqualTypeOf<Date | undefined>();
expectTypeOf<KitchenSink['history']>().toEqualTypeOf<Date[]>();
export const when: MessageInit<KitchenSink> = { createdAt: new Date(), history: [new Date(0)] };

// google.protobuf.Duration: the message, seconds a bigint.
expectTypeOf<KitchenSink['timeout']>().toEqualTypeOf<Duration | undefined>();
expectTypeOf<Duration>().toEqualTypeOf<{ seconds: bigint; nanos: number }>();

// Wrappers: the wrapped scalar, or undefined.
expectTypeOf<KitchenSink['wrappedDouble']>().toEqualTypeOf<number | undefined>();
expectTypeOf<KitchenSink['wrappedFloat']>().toEqualTypeOf<number | undefined>();
expectTypeOf<KitchenSink['wrappedInt64']>().toEqualTypeOf<bigint | undefined>();
expectTypeOf<KitchenSink['wrappedUint64']>().toEqualTypeOf<bigint | undefined>();
expectTypeOf<KitchenSink['wrappedInt32']>().toEqualTypeOf<number | undefined>();
expectTypeOf<KitchenSink['wrappedUint32']>().toEqualTypeOf<number | undefined>();
expectTypeOf<KitchenSink['wrappedBool']>().toEqualTypeOf<boolean | undefined>();
expectTypeOf<KitchenSink['wrappedString']>().toEqualTypeOf<string | undefined>();
expectTypeOf<KitchenSink['wrappedBytes']>().toEqualTypeOf<Uint8Array | undefined>();
expectTypeOf<KitchenSink['wrappedList']>().toEqualTypeOf<number[]>();

// Struct, Value and ListValue: JSON values.
expectTypeOf<KitchenSink['details']>().toEqualTypeOf<JsonObject | undefined>();
expectTypeOf<KitchenSink['dynamic']>().toEqualTypeOf<JsonValue | undefined>();
expectTypeOf<KitchenSink['items']>().toEqualTypeOf<JsonValue[] | undefined>();
expectTypeOf<KitchenSink['settings']>().toEqualTypeOf<Record<string, JsonValue>>();
expectTypeOf<JsonValue>().toEqualTypeOf<null | boolean | number | string | JsonValue[] | JsonObject>();
export const json: MessageInit<KitchenSink> = { details: { a: [1, 'b', null, { c: true }] }, dynamic: null, items: [] };
// @ts-expect-error a bigint is not a JSON value
export const notJson: MessageInit<KitchenSink> = { dynamic: 1n };

// FieldMask: its paths.
expectTypeOf<KitchenSink['updateMask']>().toEqualTypeOf<string[] | undefined>();

// Empty: only {} fits.
expectTypeOf<KitchenSink['nothing']>().toEqualTypeOf<Empty | undefined>();
expectTypeOf<Empty>().toEqualTypeOf<Record<string, never>>();
// @ts-expect-error Empty has no fields
export const notEmpty: Empty = { x: 1 };

// Any: the type URL and the serialized message.
expectTypeOf<KitchenSink['extra']>().toEqualTypeOf<Any | undefined>();
expectTypeOf<Any>().toEqualTypeOf<{ typeUrl: string; value: Uint8Array }>();

// A custom json_name changes nothing in TypeScript.
expectTypeOf<KitchenSink['renamed']>().toEqualTypeOf<string>();

// With `--longs string`, every 64-bit integer is a string of decimal digits.
expectTypeOf<KitchenSinkWithStringLongs['anInt64']>().toEqualTypeOf<string>();
expectTypeOf<KitchenSinkWithStringLongs['packedLongs']>().toEqualTypeOf<string[]>();
expectTypeOf<KitchenSinkWithStringLongs['wrappedUint64']>().toEqualTypeOf<string | undefined>();
expectTypeOf<KitchenSinkWithStringLongs['maybeUint64']>().toEqualTypeOf<string | undefined>();
expectTypeOf<KitchenSinkWithStringLongs['anInt32']>().toEqualTypeOf<number>();

// The codec's JSON methods.
const codec: MessageCodec<KitchenSink> = KitchenService.methods.Get.responseCodec;
expectTypeOf(codec.toJson).returns.toEqualTypeOf<JsonValue>();
expectTypeOf(codec.fromJson).returns.toEqualTypeOf<KitchenSink>();
