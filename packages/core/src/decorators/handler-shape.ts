import type { RpcMode } from '../definition.js';

// A mode decorator without an argument cannot see the proto (the class decorator, which can, checks the
// method's messages by its name), but it can see the method: these types refuse a method whose shape is not
// the decorator's mode, so a unary rpc written as an async generator, or a bidi rpc written as taking one
// request, fails to compile instead of failing at startup.

type AnyFunction = (...args: never[]) => unknown;

type IsAny<T> = 0 extends 1 & T ? true : false;

/** Whether a method returns a stream: `true`, `false`, or `'either'` when its type does not say (`any`). */
type ReturnsStream<F> = F extends (...args: never[]) => infer R
  ? IsAny<R> extends true
    ? 'either'
    : [R] extends [AsyncIterable<unknown>]
      ? true
      : false
  : 'either';

/**
 * Whether a method takes a stream: `'either'` when its first parameter is absent, `any`, `unknown` or a type
 * a stream also fits (`{}`, an empty message), so only a parameter that rules one shape out decides.
 */
type TakesStream<F> = F extends (first: infer P, ...rest: never[]) => unknown
  ? IsAny<P> extends true
    ? 'either'
    : unknown extends P
      ? 'either'
      : [P] extends [AsyncIterable<unknown>]
        ? true
        : [AsyncIterable<never>] extends [P]
          ? 'either'
          : false
  : 'either';

type Fits<Actual, Wanted extends boolean> = Actual extends 'either' ? true : Actual extends Wanted ? true : false;

interface ShapeOfMode {
  readonly unary: { readonly takesStream: false; readonly returnsStream: false };
  readonly server_streaming: { readonly takesStream: false; readonly returnsStream: true };
  readonly client_streaming: { readonly takesStream: true; readonly returnsStream: false };
  readonly bidi_streaming: { readonly takesStream: true; readonly returnsStream: true };
}

/** Whether a method has the shape a mode calls for. */
export type FitsMode<F, Mode extends RpcMode> = [
  Fits<TakesStream<F>, ShapeOfMode[Mode]['takesStream']>,
  Fits<ReturnsStream<F>, ShapeOfMode[Mode]['returnsStream']>,
] extends [true, true]
  ? true
  : false;

/**
 * A method decorator that accepts only methods of one mode's shape. A method of another shape meets `Refusal`
 * as the type of its name, so the compiler's message reads: Argument of type '"chat"' is not assignable to
 * parameter of type '"@BidiStreamingMethod() handles …"'.
 */
export type ModeShapedDecorator<Mode extends RpcMode, Refusal extends string> = <F extends AnyFunction>(
  target: object,
  propertyKey: FitsMode<F, Mode> extends true ? string : Refusal,
  descriptor: TypedPropertyDescriptor<F>,
) => void;
