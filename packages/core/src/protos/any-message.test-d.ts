// Type tests: compiled by `npm run typecheck` (tsc), never run. They pin that the codec forms of packAny and
// unpackAny check the message against its type, and that the name forms are unchecked.
// Each `@ts-expect-error` must meet an error, so a check that stops catching a mistake fails the build.
import { expectTypeOf } from 'vitest';
import { type Any, packAny, unpackAny } from './any-message.js';
import { KitchenService, type KitchenSink, type PhoneNumber, protos } from './test-support/kitchen-sink.generated.js';

const phones = protos.codec<PhoneNumber>('kitchen.v1.PhoneNumber');

// The codec form: the message is a MessageInit of the codec's type, and unpacking gives that type.
export const packed: Any = packAny(phones, { number: '+1 555' });
export const empty: Any = packAny(phones, {});
expectTypeOf(unpackAny(phones, packed)).toEqualTypeOf<PhoneNumber>();
// A method's codecs are typed by the generated definition.
export const sink: Any = packAny(KitchenService.methods.Get.responseCodec, { anInt64: 1n, createdAt: new Date() });
expectTypeOf(unpackAny(KitchenService.methods.Get.responseCodec, sink)).toEqualTypeOf<KitchenSink>();
// @ts-expect-error a field the message does not have
export const misspelled: Any = packAny(phones, { numbr: '+1 555' });
// @ts-expect-error a value of the wrong type
export const wrongType: Any = packAny(phones, { number: 5 });
// @ts-expect-error a 64-bit field takes a bigint, not a number
export const roundedLong: Any = packAny(KitchenService.methods.Get.responseCodec, { anInt64: 1 });
// @ts-expect-error the codec form takes no type name
export const nameAndCodec: Any = packAny(phones, 'kitchen.v1.PhoneNumber', { number: '+1' });

// The name form is unchecked: any message compiles, and the result is unknown unless the caller claims a type.
export const unchecked: Any = packAny(protos, 'kitchen.v1.PhoneNumber', { anything: true });
expectTypeOf(unpackAny(protos, packed)).toEqualTypeOf<unknown>();
expectTypeOf(unpackAny<PhoneNumber>(protos, packed)).toEqualTypeOf<PhoneNumber>();
