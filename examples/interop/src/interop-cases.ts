import { type MessageInit, Metadata, type RpcError, Status } from '@wirekit/core';
import { ECHO_INITIAL_KEY, ECHO_TRAILING_KEY } from './echo-metadata.js';
import type { Payload, StreamingInputCallRequest, StreamingOutputCallRequest, StreamingOutputCallResponse } from './gen/test.js';
import { check, expectStatus } from './interop-case-failure.js';
import type { InteropClients } from './interop-clients.js';
import { allZeros, zeroPayload } from './payload.js';

/**
 * The client side of the gRPC interop cases (grpc/grpc doc/interop-test-descriptions.md), each checking what its
 * "Client asserts" list says, on Wirekit's typed client. A case resolves when it passed and rejects with an
 * `InteropCaseFailure` (or the unexpected `RpcError`) when it did not.
 */
export type InteropCase = (clients: InteropClients) => Promise<void>;

const LARGE_REQUEST_SIZE = 271_828;
const LARGE_RESPONSE_SIZE = 314_159;
const REQUEST_SIZES = [27_182, 8, 1_828, 45_904] as const;
const RESPONSE_SIZES = [31_415, 9, 2_653, 58_979] as const;
const ECHO_INITIAL_VALUE = 'test_initial_metadata_value';
const ECHO_TRAILING_VALUE = Uint8Array.of(0xab, 0xab, 0xab);
const STATUS_MESSAGE = 'test status message';
const SPECIAL_STATUS_MESSAGE = '\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n';

const emptyUnary: InteropCase = async ({ test }) => {
  const response = await test.emptyCall({});
  check(typeof response === 'object' && response !== null, `EmptyCall: expected a response, got ${String(response)}`);
};

const largeUnary: InteropCase = async ({ test }) => {
  const response = await test.unaryCall({ responseSize: LARGE_RESPONSE_SIZE, payload: zeroPayload(LARGE_REQUEST_SIZE) });
  checkPayload('UnaryCall', response.payload, LARGE_RESPONSE_SIZE);
};

/**
 * client_compressed_unary: the probe (uncompressed, `expect_compressed: true`) must fail with INVALID_ARGUMENT, then
 * a gzipped request with `expect_compressed: true` and an uncompressed one with `false` must succeed.
 * `probe: false` is grpc-java's `client_compressed_unary_noprobe`, for servers that cannot check compression.
 */
function clientCompressedUnary(probe: boolean): InteropCase {
  return async ({ test, gzip }) => {
    const request = (expectCompressed: boolean) => ({
      expectCompressed: { value: expectCompressed },
      responseSize: LARGE_RESPONSE_SIZE,
      payload: zeroPayload(LARGE_REQUEST_SIZE),
    });
    if (probe) {
      await expectStatus('the feature probe (an uncompressed UnaryCall with expect_compressed: true)', Status.INVALID_ARGUMENT, () =>
        test.unaryCall(request(true)),
      );
    }
    checkPayload('the gzipped UnaryCall', (await gzip.unaryCall(request(true))).payload, LARGE_RESPONSE_SIZE);
    checkPayload('the uncompressed UnaryCall', (await test.unaryCall(request(false))).payload, LARGE_RESPONSE_SIZE);
  };
}

/**
 * server_compressed_unary: both calls succeed with 314159 zeros. The compressed flag of the responses is not
 * checked: grpc-js decompresses before Wirekit's client sees the bytes and exposes no flag (the descriptions
 * allow for clients without access to message flags).
 */
const serverCompressedUnary: InteropCase = async ({ test }) => {
  for (const compressed of [true, false]) {
    const response = await test.unaryCall({
      responseCompressed: { value: compressed },
      responseSize: LARGE_RESPONSE_SIZE,
      payload: zeroPayload(LARGE_REQUEST_SIZE),
    });
    checkPayload(`UnaryCall with response_compressed: ${compressed}`, response.payload, LARGE_RESPONSE_SIZE);
  }
};

const clientStreaming: InteropCase = async ({ test }) => {
  const response = await test.streamingInputCall(REQUEST_SIZES.map((size) => ({ payload: zeroPayload(size) })));
  check(
    response.aggregatedPayloadSize === 74_922,
    `StreamingInputCall: expected aggregated_payload_size 74922, got ${response.aggregatedPayloadSize}`,
  );
};

/**
 * client_compressed_streaming: the probe call must fail with INVALID_ARGUMENT, then a call sends 27182 bytes
 * gzipped (`expect_compressed: true`) and 45904 bytes (`false`) and gets 73086. grpc-js compresses a whole
 * channel, so on the gzip channel the second message is compressed too; servers check only `true`.
 */
function clientCompressedStreaming(probe: boolean): InteropCase {
  return async ({ test, gzip }) => {
    if (probe) {
      await expectStatus(
        'the feature probe (an uncompressed StreamingInputCall with expect_compressed: true)',
        Status.INVALID_ARGUMENT,
        () => test.streamingInputCall([{ expectCompressed: { value: true }, payload: zeroPayload(27_182) }]),
      );
    }
    const response = await gzip.streamingInputCall([
      { expectCompressed: { value: true }, payload: zeroPayload(27_182) },
      { expectCompressed: { value: false }, payload: zeroPayload(45_904) },
    ]);
    check(
      response.aggregatedPayloadSize === 73_086,
      `StreamingInputCall: expected aggregated_payload_size 73086, got ${response.aggregatedPayloadSize}`,
    );
  };
}

const serverStreaming: InteropCase = async ({ test }) => {
  const responses = await collect(test.streamingOutputCall({ responseParameters: RESPONSE_SIZES.map((size) => ({ size })) }));
  checkPayloads('StreamingOutputCall', responses, RESPONSE_SIZES);
};

/** server_compressed_streaming: two responses of 31415 and 92653 zeros; their compressed flags are not visible (see above). */
const serverCompressedStreaming: InteropCase = async ({ test }) => {
  const responses = await collect(
    test.streamingOutputCall({
      responseParameters: [
        { compressed: { value: true }, size: 31_415 },
        { compressed: { value: false }, size: 92_653 },
      ],
    }),
  );
  checkPayloads('StreamingOutputCall', responses, [31_415, 92_653]);
};

/** ping_pong: each request is sent only after the reply to the previous one arrived. */
const pingPong: InteropCase = async ({ test }) => {
  const responses: StreamingOutputCallResponse[] = [];
  const over = new AbortController();
  let replied = (): void => {};
  async function* requests(): AsyncGenerator<MessageInit<StreamingOutputCallRequest>> {
    for (const [index, size] of RESPONSE_SIZES.entries()) {
      const payloadSize = REQUEST_SIZES[index] ?? 0;
      const reply = new Promise<void>((resolve) => {
        replied = resolve;
      });
      yield request([size], payloadSize);
      await Promise.race([reply, aborted(over.signal)]);
      if (over.signal.aborted) return;
    }
  }
  try {
    for await (const response of test.fullDuplexCall(requests())) {
      responses.push(response);
      replied();
    }
  } finally {
    over.abort();
  }
  checkPayloads('FullDuplexCall', responses, RESPONSE_SIZES);
};

const emptyStream: InteropCase = async ({ test }) => {
  const responses = await collect(test.fullDuplexCall([]));
  check(responses.length === 0, `FullDuplexCall with no requests: expected no responses, got ${responses.length}`);
};

/** timeout_on_sleeping_server: one request, no half-close, a 1 ms timeout; the call must end DEADLINE_EXCEEDED. */
const timeoutOnSleepingServer: InteropCase = async ({ test }) => {
  const over = new AbortController();
  async function* requests(): AsyncGenerator<MessageInit<StreamingOutputCallRequest>> {
    yield { payload: zeroPayload(27_182) };
    await aborted(over.signal);
  }
  await expectStatus('FullDuplexCall with a 1 ms timeout', Status.DEADLINE_EXCEEDED, async () => {
    try {
      await collect(test.fullDuplexCall(requests(), { timeoutMs: 1 }));
    } finally {
      over.abort();
    }
  });
};

/** cancel_after_begin: the call is cancelled once it has started, before any request message is sent. */
const cancelAfterBegin: InteropCase = async ({ test }) => {
  const cancel = new AbortController();
  // The client asks for the first request once the call has begun: that is when it is cancelled, with no
  // message sent.
  const requests: AsyncIterable<MessageInit<StreamingInputCallRequest>> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        cancel.abort();
        return { done: true, value: undefined };
      },
    }),
  };
  await expectStatus('StreamingInputCall cancelled after it began', Status.CANCELLED, () =>
    test.streamingInputCall(requests, { signal: cancel.signal }),
  );
};

/** cancel_after_first_response: the call is cancelled once the first response arrived. */
const cancelAfterFirstResponse: InteropCase = async ({ test }) => {
  const cancel = new AbortController();
  async function* requests(): AsyncGenerator<MessageInit<StreamingOutputCallRequest>> {
    yield request([31_415], 27_182);
    await aborted(cancel.signal);
  }
  let received = 0;
  await expectStatus('FullDuplexCall cancelled after its first response', Status.CANCELLED, async () => {
    try {
      for await (const _response of test.fullDuplexCall(requests(), { signal: cancel.signal })) {
        received++;
        cancel.abort();
      }
    } finally {
      cancel.abort();
    }
  });
  check(received === 1, `FullDuplexCall: expected to cancel after one response, received ${received}`);
};

/** custom_metadata: the server echoes one text header in its headers and one binary header in its trailers. */
const customMetadata: InteropCase = async ({ test }) => {
  const metadata = new Metadata({ [ECHO_INITIAL_KEY]: ECHO_INITIAL_VALUE, [ECHO_TRAILING_KEY]: ECHO_TRAILING_VALUE });
  const unary = echoed();
  await test.unaryCall({ responseSize: LARGE_RESPONSE_SIZE, payload: zeroPayload(LARGE_REQUEST_SIZE) }, { metadata, ...unary.options });
  unary.check('UnaryCall');
  const duplex = echoed();
  await collect(test.fullDuplexCall([request([LARGE_RESPONSE_SIZE], LARGE_REQUEST_SIZE)], { metadata, ...duplex.options }));
  duplex.check('FullDuplexCall');
};

/** status_code_and_message: the status a request asks for comes back, code and message, for unary and bidi. */
const statusCodeAndMessage: InteropCase = async ({ test }) => {
  const responseStatus = { code: Status.UNKNOWN, message: STATUS_MESSAGE };
  checkMessage('UnaryCall', await expectStatus('UnaryCall', Status.UNKNOWN, () => test.unaryCall({ responseStatus })), STATUS_MESSAGE);
  const duplex = await expectStatus('FullDuplexCall', Status.UNKNOWN, () => collect(test.fullDuplexCall([{ responseStatus }])));
  checkMessage('FullDuplexCall', duplex, STATUS_MESSAGE);
};

/** special_status_message: tabs, CR/LF and non-ASCII characters survive in the status message. */
const specialStatusMessage: InteropCase = async ({ test }) => {
  const error = await expectStatus('UnaryCall', Status.UNKNOWN, () =>
    test.unaryCall({ responseStatus: { code: Status.UNKNOWN, message: SPECIAL_STATUS_MESSAGE } }),
  );
  checkMessage('UnaryCall', error, SPECIAL_STATUS_MESSAGE);
};

const unimplementedMethod: InteropCase = async ({ test }) => {
  await expectStatus('TestService/UnimplementedCall', Status.UNIMPLEMENTED, () => test.unimplementedCall({}));
};

const unimplementedService: InteropCase = async ({ unimplemented }) => {
  await expectStatus('UnimplementedService/UnimplementedCall', Status.UNIMPLEMENTED, () => unimplemented.unimplementedCall({}));
};

/** Every case by its `--test_case` name. */
export const INTEROP_CASES = {
  empty_unary: emptyUnary,
  large_unary: largeUnary,
  client_compressed_unary: clientCompressedUnary(true),
  client_compressed_unary_noprobe: clientCompressedUnary(false),
  server_compressed_unary: serverCompressedUnary,
  client_streaming: clientStreaming,
  client_compressed_streaming: clientCompressedStreaming(true),
  client_compressed_streaming_noprobe: clientCompressedStreaming(false),
  server_streaming: serverStreaming,
  server_compressed_streaming: serverCompressedStreaming,
  ping_pong: pingPong,
  empty_stream: emptyStream,
  timeout_on_sleeping_server: timeoutOnSleepingServer,
  cancel_after_begin: cancelAfterBegin,
  cancel_after_first_response: cancelAfterFirstResponse,
  custom_metadata: customMetadata,
  status_code_and_message: statusCodeAndMessage,
  special_status_message: specialStatusMessage,
  unimplemented_method: unimplementedMethod,
  unimplemented_service: unimplementedService,
} as const satisfies Record<string, InteropCase>;

/** The name of an interop case, as `--test_case` takes it. */
export type InteropCaseName = keyof typeof INTEROP_CASES;

/** Whether `name` names a case. */
export function isInteropCaseName(name: string): name is InteropCaseName {
  return Object.hasOwn(INTEROP_CASES, name);
}

/** Runs one case; resolves when it passed. */
export function runInteropCase(name: InteropCaseName, clients: InteropClients): Promise<void> {
  return INTEROP_CASES[name](clients);
}

function request(responseSizes: readonly number[], payloadSize: number): StreamingOutputCallRequest {
  return {
    responseType: 'COMPRESSABLE',
    responseParameters: responseSizes.map((size) => ({ size, intervalUs: 0 })),
    payload: zeroPayload(payloadSize),
  };
}

async function collect<T>(responses: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const response of responses) collected.push(response);
  return collected;
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function checkPayload(what: string, payload: Payload | undefined, size: number): void {
  const body = payload?.body;
  check(body !== undefined, `${what}: expected a payload of ${size} bytes, got none`);
  check(body.byteLength === size, `${what}: expected a payload of ${size} bytes, got ${body.byteLength}`);
  check(allZeros(body), `${what}: expected a payload of zeros`);
}

function checkPayloads(what: string, responses: readonly StreamingOutputCallResponse[], sizes: readonly number[]): void {
  const got = responses.map((response) => response.payload?.body.byteLength ?? 0);
  check(
    got.join() === sizes.join(),
    `${what}: expected ${sizes.length} responses sized ${sizes.join(', ')}, got ${got.length} sized ${got.join(', ')}`,
  );
  responses.forEach((response, index) => {
    checkPayload(`${what} response ${index + 1}`, response.payload, sizes[index] ?? 0);
  });
}

function checkMessage(what: string, error: RpcError, message: string): void {
  check(
    error.rawMessage === message,
    `${what}: expected the status message ${JSON.stringify(message)}, got ${JSON.stringify(error.rawMessage)}`,
  );
}

/** Records the headers and trailers of one call and checks the echoed entries. */
function echoed() {
  let header: Metadata | undefined;
  let trailer: Metadata | undefined;
  return {
    options: {
      onHeader: (received: Metadata) => {
        header = received;
      },
      onTrailer: (received: Metadata) => {
        trailer = received;
      },
    },
    check(what: string): void {
      const initial = header?.get(ECHO_INITIAL_KEY);
      check(
        initial === ECHO_INITIAL_VALUE,
        `${what}: expected ${ECHO_INITIAL_KEY}: ${ECHO_INITIAL_VALUE} in the headers, got ${String(initial)}`,
      );
      const trailing = trailer?.get(ECHO_TRAILING_KEY);
      check(
        trailing !== undefined && Buffer.from(trailing).equals(ECHO_TRAILING_VALUE),
        `${what}: expected ${ECHO_TRAILING_KEY}: 0xababab in the trailers, got ${trailing ? `0x${Buffer.from(trailing).toString('hex')}` : 'nothing'}`,
      );
    },
  };
}
