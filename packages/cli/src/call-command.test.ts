import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type App,
  type BidiStreaming,
  badRequest,
  type ClientStreaming,
  createApp,
  defineService,
  ProtoSet,
  RpcError,
  type ServerStreaming,
  type Status,
  type Unary,
} from '@wirekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectResponse, EchoRequest, EchoResponse, ExpandRequest } from '../../core/src/test-support/echo.generated.js';
import { runCli } from './run-cli.js';
import { captured } from './test-support/captured-output.js';

const protoDir = fileURLToPath(new URL('../../core/src/test-support/protos', import.meta.url));
const protoFile = 'wirekit/test/v1/echo.proto';
const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url));

type EchoMethods = {
  Echo: Unary<EchoRequest, EchoResponse>;
  Expand: ServerStreaming<ExpandRequest, EchoResponse>;
  Collect: ClientStreaming<EchoRequest, CollectResponse>;
  Chat: BidiStreaming<EchoRequest, EchoResponse>;
};

function echoApp(reflection: boolean): App {
  const protos = ProtoSet.load(protoFile, { includeDirs: [protoDir] });
  const app = createApp({ reflection, health: false, shutdownSignals: [] });
  app.addService(defineService<EchoMethods>(protos, 'wirekit.test.v1.EchoService'), {
    async echo(request, ctx) {
      if (request.message === 'slow') {
        // Answers only when the deadline aborts the call.
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        throw ctx.signal.reason;
      }
      if (request.failWithCode !== 0) {
        throw new RpcError(request.failWithCode as Status, `failed as asked: ${request.message}`, {
          details: [badRequest([{ field: 'message', description: 'must not ask to fail' }])],
        });
      }
      const note = ctx.metadata.get('x-note') ?? 'none';
      ctx.trailer.set('x-echo-note', note);
      return { message: `${request.message} (x-note: ${note})`, sequence: request.sequence };
    },
    async *expand(request) {
      for (let index = 0; index < request.count; index++) yield { message: `${request.message}-${index}`, sequence: BigInt(index) };
    },
    async collect(requests) {
      const messages: string[] = [];
      let sequenceTotal = 0n;
      for await (const request of requests) {
        messages.push(request.message);
        sequenceTotal += request.sequence;
      }
      return { count: messages.length, joined: messages.join(','), sequenceTotal };
    },
    async *chat(requests) {
      for await (const request of requests) yield { message: request.message.toUpperCase(), sequence: request.sequence };
    },
  });
  return app;
}

async function call(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const output = captured();
  const status = await runCli(['call', ...args], output);
  return { status, out: output.out.join('\n'), err: output.err.join('\n') };
}

/** The JSON documents of pretty-printed output, one after another. */
function documents(out: string): unknown[] {
  return out
    .split(/\n(?=\{)/)
    .filter((chunk) => chunk.startsWith('{'))
    .map((chunk) => JSON.parse(chunk));
}

const withReflection = echoApp(true);
const withoutReflection = echoApp(false);
let address = '';
let bareAddress = '';

beforeAll(async () => {
  address = (await withReflection.listen('127.0.0.1:0')).address;
  bareAddress = (await withoutReflection.listen('127.0.0.1:0')).address;
});
afterAll(async () => {
  await withReflection.close();
  await withoutReflection.close();
});

describe('wirekit call, through server reflection', () => {
  it('lists the services, sorted, and the methods of one', async () => {
    const services = await call('--plaintext', address, 'list');
    expect(services.status).toBe(0);
    expect(services.out).toBe('wirekit.test.v1.EchoService');
    const methods = await call('--plaintext', address, 'list', 'wirekit.test.v1.EchoService');
    expect(methods).toEqual({
      status: 0,
      out: ['Echo', 'Expand', 'Collect', 'Chat'].map((name) => `wirekit.test.v1.EchoService.${name}`).join('\n'),
      err: '',
    });
  });

  it('describes a service with its streaming markers, and a message with its fields', async () => {
    const service = await call('--plaintext', address, 'describe', 'wirekit.test.v1.EchoService');
    expect(service.status).toBe(0);
    expect(service.out).toBe(
      [
        'wirekit.test.v1.EchoService is a service:',
        'service EchoService {',
        '  rpc Echo ( .wirekit.test.v1.EchoRequest ) returns ( .wirekit.test.v1.EchoResponse );',
        '  rpc Expand ( .wirekit.test.v1.ExpandRequest ) returns ( stream .wirekit.test.v1.EchoResponse );',
        '  rpc Collect ( stream .wirekit.test.v1.EchoRequest ) returns ( .wirekit.test.v1.CollectResponse );',
        '  rpc Chat ( stream .wirekit.test.v1.EchoRequest ) returns ( stream .wirekit.test.v1.EchoResponse );',
        '}',
      ].join('\n'),
    );
    const method = await call('--plaintext', address, 'describe', 'wirekit.test.v1.EchoService.Chat');
    expect(method.out).toBe(
      'wirekit.test.v1.EchoService.Chat is a method:\nrpc Chat ( stream .wirekit.test.v1.EchoRequest ) returns ( stream .wirekit.test.v1.EchoResponse );',
    );
    const message = await call('--plaintext', address, 'describe', 'wirekit.test.v1.EchoResponse');
    expect(message.out).toBe(
      [
        'wirekit.test.v1.EchoResponse is a message:',
        'message EchoResponse {',
        '  string message = 1;',
        '  int64 sequence = 2;',
        '  bytes payload = 3;',
        '  .google.protobuf.Timestamp served_at = 4;',
        '}',
      ].join('\n'),
    );
  });

  it('makes a unary call with request metadata, and prints headers and trailers with -v', async () => {
    const result = await call(
      '--plaintext',
      '-H',
      'x-note: hello',
      address,
      'wirekit.test.v1.EchoService/Echo',
      '-d',
      '{"message": "hi", "sequence": 7}',
    );
    expect(result).toEqual({ status: 0, out: JSON.stringify({ message: 'hi (x-note: hello)', sequence: '7' }, null, 2), err: '' });
    const verbose = await call('--plaintext', '-v', '-H', 'x-note: loud', address, 'wirekit.test.v1.EchoService.Echo', '-d', '{}');
    expect(verbose.status).toBe(0);
    expect(verbose.out).toContain('Response headers received:\n');
    expect(verbose.out).toContain('Response trailers received:\nx-echo-note: loud');
    expect(verbose.out).toContain('Sent 1 request and received 1 response');
  });

  it('prints each response of a server stream', async () => {
    const result = await call('--plaintext', address, 'wirekit.test.v1.EchoService/Expand', '-d', '{"message": "m", "count": 3}');
    expect(result.status).toBe(0);
    expect(documents(result.out)).toEqual([{ message: 'm-0' }, { message: 'm-1', sequence: '1' }, { message: 'm-2', sequence: '2' }]);
  });

  it('sends several requests from -d to client-streaming and bidi rpcs', async () => {
    const data = '{"message": "a", "sequence": 1}{"message": "b", "sequence": 2}\n{"message": "c", "sequence": "3"}';
    const collected = await call('--plaintext', address, 'wirekit.test.v1.EchoService/Collect', '-d', data);
    expect(collected.status).toBe(0);
    expect(documents(collected.out)).toEqual([{ count: 3, joined: 'a,b,c', sequenceTotal: '6' }]);
    const chat = await call('--plaintext', address, 'wirekit.test.v1.EchoService/Chat', '-d', data);
    expect(chat.status).toBe(0);
    expect(documents(chat.out)).toEqual([
      { message: 'A', sequence: '1' },
      { message: 'B', sequence: '2' },
      { message: 'C', sequence: '3' },
    ]);
  });

  it('exits 1 with the status and the decoded details of a failed call', async () => {
    const result = await call('--plaintext', address, 'wirekit.test.v1.EchoService/Echo', '-d', '{"message": "x", "fail_with_code": 5}');
    expect(result.status).toBe(1);
    expect(result.out).toBe('');
    expect(result.err.split('\n')).toEqual([
      'ERROR: code = NOT_FOUND (5)',
      '  message = failed as asked: x',
      '  BadRequest:',
      '    field "message": must not ask to fail',
    ]);
  });

  it('gives up at --max-time with DEADLINE_EXCEEDED', async () => {
    const result = await call('--plaintext', '--max-time', '0.2', address, 'wirekit.test.v1.EchoService/Echo', '-d', '{"message": "slow"}');
    expect(result.status).toBe(1);
    expect(result.err).toMatch(/^ERROR: code = DEADLINE_EXCEEDED \(4\)/);
  });

  it('exits 2 naming the methods for an unknown method, and the fix for an unknown service', async () => {
    const method = await call('--plaintext', address, 'wirekit.test.v1.EchoService/Shout');
    expect(method.status).toBe(2);
    expect(method.err).toBe('service wirekit.test.v1.EchoService has no method "Shout"; its methods: Echo, Expand, Collect, Chat');
    const service = await call('--plaintext', address, 'wirekit.test.v1.Nope/Echo');
    expect(service.status).toBe(2);
    expect(service.err).toMatch(/"wirekit\.test\.v1\.Nope".*; wirekit call .* list shows the services$/);
  });

  it('exits 2 for bad usage: a malformed -d, a missing address, several requests to a unary rpc', async () => {
    expect((await call('--plaintext', address, 'wirekit.test.v1.EchoService/Echo', '-d', '{"message": ')).status).toBe(2);
    expect((await call('--plaintext', address, 'wirekit.test.v1.EchoService/Echo', '-d', '{"nope": 1}')).err).toMatch(
      /^request 1 is not a wirekit\.test\.v1\.EchoRequest/,
    );
    expect((await call('--plaintext', address, 'wirekit.test.v1.EchoService/Echo', '-d', '{}{}')).err).toBe(
      'Echo takes one request, but -d has 2',
    );
    expect((await call()).status).toBe(2);
    expect((await call('--help')).out).toMatch(/^Usage: wirekit call/);
  });
});

describe('wirekit call, without reflection', () => {
  it('says that reflection is missing and suggests --proto', async () => {
    const result = await call('--plaintext', bareAddress, 'list');
    expect(result.status).toBe(2);
    expect(result.err).toMatch(/does not serve reflection .*--proto <file> --import-path <dir>$/);
  });

  it('lists, describes and calls from local protos with --proto', async () => {
    const local = ['--plaintext', '--proto', protoFile, '--import-path', protoDir, bareAddress];
    expect((await call(...local, 'list')).out).toBe('wirekit.test.v1.EchoService\nwirekit.test.v1.OtherService');
    expect((await call(...local, 'describe', 'wirekit.test.v1.ExpandRequest')).out).toContain('  int32 count = 2;');
    const result = await call(...local, 'wirekit.test.v1.EchoService/Echo', '-d', '{"message": "local"}');
    expect(result).toEqual({ status: 0, out: JSON.stringify({ message: 'local (x-note: none)' }, null, 2), err: '' });
  });
});

describe('wirekit call, unreachable', () => {
  it('exits 2 saying what to check', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const result = await call('--plaintext', `127.0.0.1:${closedPort}`, 'list');
    expect(result.status).toBe(2);
    expect(result.err).toMatch(new RegExp(`^cannot reach 127\\.0\\.0\\.1:${closedPort}: .*; is the server running\\?$`));
    const tls = await call(`127.0.0.1:${closedPort}`, 'list');
    expect(tls.err).toMatch(/\(--plaintext for a server without TLS\)$/);
  });
});

describe('wirekit call, the built command', () => {
  it('reads client-stream requests from standard input with -d @', async () => {
    const child = spawn(process.execPath, [mainJs, 'call', '--plaintext', '-d', '@', address, 'wirekit.test.v1.EchoService/Collect']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end('{"message": "x"}\n{"message": "y", "sequence": 2}\n');
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({ count: 2, joined: 'x,y', sequenceTotal: '2' });
  });
});
