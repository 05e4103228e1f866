import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error the extractor is a plain .mjs script without type declarations
import { extractSampleFiles, extractSamples, markdownFiles, sampleHeader } from './extract-samples.mjs';

interface Sample {
  readonly name: string;
  readonly code: string;
  readonly run: boolean;
}

const docs = dirname(fileURLToPath(import.meta.url));
const root = join(docs, '..');

/** What samples must print, in order; samples not listed must simply run to the end. */
const EXPECTED_OUTPUT: Record<string, string[]> = {
  'readme-1.ts': ['Hello, Ada!', 'Hello #1, Grace', 'Hello #2, Grace', 'Hello, Alan and Barbara!', 'Nice to meet you, Edsger'],
  'decorators-1.ts': ['Hello, Ada (2030)'],
  'decorators-3.ts': ['Hello, all 2 of you'],
  'core-1.ts': ['Ada via /greeter.v1.Greeter/SayHello from 127.0.0.1, in time', 'r-1'],
  'core-2.ts': ['INVALID_ARGUMENT name is required', 'name'],
  'core-3.ts': ['SayHello OK, SayHelloStream ABORTED'],
  'testing-1.ts': ['in-memory test passed'],
  'middleware-1.ts': ['Hello, Ada', 'Hello, Grace', 'RESOURCE_EXHAUSTED', '3 calls logged', 'true'],
  'middleware-auth-1.ts': [
    'Hello, Ada (caller: anonymous)',
    'Hello #1, Grace, from ada',
    'Hello #2, Grace, from ada',
    'PERMISSION_DENIED ada lacks the role "admin" this method requires',
    'UNAUTHENTICATED the call has no authorization header; send "authorization: Bearer <token>"',
  ],
  'middleware-auth-3.ts': ['Hello, Ada, says billing-service'],
  'middleware-auth-4.ts': [
    'Hello, Ada, from deploy-bot',
    'PERMISSION_DENIED MISSING_SCOPES dashboard lacks the scope "greet" this method requires',
  ],
  'middleware-auth-6.ts': ['auth tests passed'],
  'middleware-resilience-1.ts': [
    'Hello, Ada!',
    'Hello, Grace!',
    'RESOURCE_EXHAUSTED: rate limit of 2/min exceeded for /greeter.v1.Greeter/SayHello; retry in 30 s (peer:127.0.0.1)',
    'RESOURCE_EXHAUSTED: rate limit of 3/min exceeded for the request messages of /greeter.v1.Greeter/GreetAll; retry in 20 s (method:/greeter.v1.Greeter/GreetAll)',
  ],
  'middleware-resilience-3.ts': ['Hello, Ada! after 3 attempts', 'UNAVAILABLE after 1 attempt'],
  'middleware-resilience-4.ts': [
    'Hello, Ada! (deadline inherited, less the margin)',
    'front end call: CANCELLED',
    'back end call: CANCELLED',
  ],
  'middleware-tracing-1.ts': [
    'Hello #1, Ada of acme; Hello #2, Ada of acme',
    '4 spans of greeter, 1 trace',
    'SERVER greeter.v1.Greeter/SayHelloStream, child of CLIENT greeter.v1.Greeter/SayHelloStream',
    'CLIENT greeter.v1.Greeter/SayHelloStream, child of SERVER greeter.v1.Greeter/SayHello',
    'SERVER greeter.v1.Greeter/SayHello, child of CLIENT greeter.v1.Greeter/SayHello',
    'CLIENT greeter.v1.Greeter/SayHello, the root',
  ],
  'middleware-tracing-2.ts': [
    'SERVER OK UNSET',
    'CLIENT OK UNSET',
    'SERVER NOT_FOUND UNSET',
    'CLIENT NOT_FOUND ERROR',
    'SERVER INTERNAL ERROR',
    'CLIENT INTERNAL ERROR',
    'true',
    'the ledger is unreachable',
    'RECEIVED 1, SENT 1, RECEIVED 2, SENT 2',
  ],
  'middleware-observability-1.ts': [
    'info r-1 greeting',
    'info r-1 call ended OK [Redacted]',
    'warn r-2 call ended INVALID_ARGUMENT',
    'error r-3 call ended INTERNAL the greetings table is missing',
    'error handler failed; the client got INTERNAL the greetings table is missing',
  ],
  'middleware-observability-2.ts': [
    'text/plain; version=0.0.4; charset=utf-8',
    'grpc_server_handled_total{grpc_type="unary",grpc_service="greeter.v1.Greeter",grpc_method="SayHello",grpc_code="OK"} 1',
    'grpc_server_handled_total{grpc_type="server_stream",grpc_service="greeter.v1.Greeter",grpc_method="SayHelloStream",grpc_code="OK"} 1',
    'grpc_server_handled_total{grpc_type="bidi_stream",grpc_service="greeter.v1.Greeter",grpc_method="Converse",grpc_code="UNIMPLEMENTED"} 1',
    'grpc_client_msg_received_total{grpc_type="unary",grpc_service="greeter.v1.Greeter",grpc_method="SayHello"} 1',
    'grpc_client_msg_received_total{grpc_type="server_stream",grpc_service="greeter.v1.Greeter",grpc_method="SayHelloStream"} 3',
  ],
  'middleware-observability-3.ts': [
    'logged: handler failed; the client got INTERNAL: the greetings table is missing',
    '[INTERNAL] Internal server error r-9',
    'Hello, Ada',
  ],
  'testing-3.ts': [
    'shop/v1/shop.proto:3:1 FIELD_NO_DELETE_UNLESS_NAME_RESERVED Previously present field "2" with name "note" on message "Order" was deleted without reserving the name "note".',
  ],
  'types-1.ts': [
    'available from 2024-06-01T00:00:00.000Z',
    '3998 CATEGORY_TOOLS',
    '250000000',
    '0 undefined undefined',
    '{"weightKg":1.2,"colors":["red","black"],"recalled":null} 9007199254740993',
    'false',
  ],
  'types-2.ts': [
    '{"sku":"saw-2","priceCents":"9007199254740993","category":"CATEGORY_TOOLS","listedAt":"2024-05-01T12:00:00.250Z","warranty":"86400s","stock":0,"extras":[{"@type":"type.googleapis.com/catalog.v1.Promotion","code":"SPRING","percentOff":10}]}',
    '4999 CATEGORY_TOOLS 1500',
    '15',
    'catalog.v1.Product.warranty: expected a duration in seconds ("1.5s"), got number 90',
  ],
  'types-3.ts': ['true price_cents', 'lamp 2500 teal'],
  'types-4.ts': ['9223372036854775807', 'catalog.v1.Product.priceCents: expected a string of decimal digits, got string "12.5"'],
};

describe('code samples in the README and docs/', () => {
  afterEach(() => vi.restoreAllMocks());

  const all = (markdownFiles() as string[]).flatMap((file) => (extractSamples(file) as Sample[]).map((sample) => ({ file, sample })));

  it('finds the samples', () => {
    expect(all.map(({ sample }) => sample.name)).toContain('readme-1.ts');
  });

  it.each(all.map(({ file, sample }) => [sample.name, file, sample] as const))(
    '%s is extracted as written in the markdown',
    (name, file, sample) => {
      const path = join(docs, 'samples', name);
      expect(existsSync(path), `${name} is missing: run npm run generate`).toBe(true);
      expect(readFileSync(path, 'utf8'), `${name} is stale: run npm run generate`).toBe(sampleHeader(relative(root, file)) + sample.code);
    },
  );

  const files = (markdownFiles() as string[]).flatMap((file) => extractSampleFiles(file) as { path: string; content: string }[]);
  it.each(files.map((file) => [file.path, file.content] as const))(
    '%s (read by a test sample) is extracted as written',
    (path, content) => {
      expect(existsSync(join(docs, 'samples', path)), `${path} is missing: run npm run generate`).toBe(true);
      expect(readFileSync(join(docs, 'samples', path), 'utf8'), `${path} is stale: run npm run generate`).toBe(content);
    },
  );

  it.each(all.filter(({ sample }) => sample.run).map(({ sample }) => [sample.name] as const))('%s runs to the end', async (name) => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    });
    await import(/* @vite-ignore */ pathToFileURL(join(docs, 'samples', name)).href);
    const expected = EXPECTED_OUTPUT[name];
    if (expected) expect(printed).toEqual(expected);
  });
});
