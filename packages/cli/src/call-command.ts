import { parseArgs } from 'node:util';
import {
  type CallOptions,
  type Channel,
  type ClientTlsOptions,
  createChannel,
  createClient,
  defineService,
  formatRpcError,
  Metadata,
  type MethodInfo,
  ProtoSet,
  RpcError,
  Status,
} from '@wirekit/core';
import type { CommandOutput } from './command-output.js';
import { describeSymbol } from './describe-symbol.js';
import { parseJsonRequests } from './json-requests.js';
import { fileDescriptorSetOf, ReflectionClient, ReflectionUnavailableError, SymbolNotFoundError } from './reflection-client.js';

export const CALL_HELP = `Usage: wirekit call [flags] <address> list [service]
       wirekit call [flags] <address> describe <symbol>
       wirekit call [flags] <address> <package.Service/Method> [-d <json>]

Calls a gRPC server, like grpcurl. Services and messages come from the server's reflection, or from
local protos with --proto. Responses are printed as JSON (the proto3 JSON mapping), one per message.

Flags:
  --plaintext            no TLS (without it: TLS, verified against the system's roots or --cacert)
  --cacert <file>        CA certificates the server's certificate must chain to
  --cert <file>          client certificate, for mutual TLS (with --key)
  --key <file>           client private key, for mutual TLS (with --cert)
  --servername <name>    the name to verify the server's certificate against
  -H, --header 'k: v'    request metadata (repeatable); values of keys ending in -bin are base64
  -d, --data <json>      the request; for client-streaming and bidi rpcs, several JSON objects one after
                         another; -d @ reads them from standard input. Without -d: {} (none for streams)
  --max-time <seconds>   deadline of the whole command (reflection included)
  --proto <file>         use this .proto file instead of reflection (repeatable)
  --import-path <dir>    directory --proto files and their imports resolve against (repeatable)
  -v, --verbose          print the response headers and trailers too
  -h, --help             print this help

Exit status: 0 success, 1 the call failed (status on stderr), 2 bad usage or the call could not be made.`;

interface CallFlags {
  plaintext?: boolean;
  cacert?: string;
  cert?: string;
  key?: string;
  servername?: string;
  header?: string[];
  data?: string;
  'max-time'?: string;
  proto?: string[];
  'import-path'?: string[];
  verbose?: boolean;
  help?: boolean;
}

// Where services and messages are described: the server's reflection or local protos.
interface Schema {
  listServices(): Promise<string[]>;
  protoSetOf(symbols: readonly string[]): Promise<ProtoSet>;
  /** The serialized FileDescriptorSet that defines the symbols; `describe` reads it without building codecs. */
  descriptorSetOf(symbols: readonly string[]): Promise<Uint8Array>;
}

/** A bad command line or an rpc that cannot be made: exit status 2 with this message. */
class UsageError extends Error {}

/** `wirekit call`: calls a gRPC server from the command line. Returns the exit status. */
export async function callCommand(args: readonly string[], output: CommandOutput): Promise<number> {
  let values: CallFlags;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      options: {
        plaintext: { type: 'boolean' },
        cacert: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        servername: { type: 'string' },
        header: { type: 'string', short: 'H', multiple: true },
        data: { type: 'string', short: 'd' },
        'max-time': { type: 'string' },
        proto: { type: 'string', multiple: true },
        'import-path': { type: 'string', multiple: true },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error: unknown) {
    output.error(`${(error as Error).message}\n\n${CALL_HELP}`);
    return 2;
  }
  if (values.help) {
    output.print(CALL_HELP);
    return 0;
  }
  const [address, action, symbol, ...extra] = positionals;
  if (address === undefined || action === undefined) {
    output.error(`give the server's address and what to do (list, describe <symbol> or a method)\n\n${CALL_HELP}`);
    return 2;
  }
  let channel: Channel | undefined;
  try {
    const callOptions = callOptionsOf(values);
    channel = createChannel(address, values.plaintext ? {} : { tls: tlsOf(values) });
    const schema = schemaOf(values, channel, callOptions);
    if (action === 'list') {
      if (extra.length > 0) throw new UsageError(`list takes at most one service, not "${extra.join(' ')}"`);
      await list(schema, symbol, output);
      return 0;
    }
    if (action === 'describe') {
      if (symbol === undefined || extra.length > 0) throw new UsageError('describe takes one symbol: a service, method, message or enum');
      await describe(schema, symbol, output);
      return 0;
    }
    if (symbol !== undefined) throw new UsageError(`unexpected "${[symbol, ...extra].join(' ')}" after the method`);
    return await invoke({ schema, channel, method: action, flags: values, callOptions, output });
  } catch (error: unknown) {
    return reportFailure(error, address, values, output);
  } finally {
    channel?.close();
  }
}

function callOptionsOf(flags: CallFlags): CallOptions {
  const metadata = new Metadata();
  for (const header of flags.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`-H "${header}" is not "key: value"`);
    const key = header.slice(0, colon).trim().toLowerCase();
    const value = header.slice(colon + 1).trim();
    try {
      metadata.append(key, key.endsWith('-bin') ? new Uint8Array(Buffer.from(value, 'base64')) : value);
    } catch (error: unknown) {
      throw new UsageError(`-H "${header}": ${(error as Error).message}`);
    }
  }
  const maxTime = flags['max-time'];
  if (maxTime === undefined) return { metadata };
  const seconds = Number(maxTime);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--max-time takes a positive number of seconds, not "${maxTime}"`);
  // One deadline for the whole command: reflection and the call share it, as grpcurl's --max-time does.
  return { metadata, deadline: Date.now() + seconds * 1000 };
}

function tlsOf(flags: CallFlags): ClientTlsOptions {
  if ((flags.cert === undefined) !== (flags.key === undefined)) throw new UsageError('--cert and --key go together (mutual TLS)');
  return {
    ...(flags.cacert !== undefined ? { ca: flags.cacert } : {}),
    ...(flags.cert !== undefined ? { cert: flags.cert } : {}),
    ...(flags.key !== undefined ? { key: flags.key } : {}),
    ...(flags.servername !== undefined ? { serverName: flags.servername } : {}),
  };
}

function schemaOf(flags: CallFlags, channel: Channel, callOptions: CallOptions): Schema {
  if (flags.proto === undefined) {
    if (flags['import-path'] !== undefined) throw new UsageError('--import-path goes with --proto');
    const reflection = new ReflectionClient(channel, callOptions);
    return {
      listServices: () => reflection.listServices(),
      protoSetOf: (symbols) => reflection.protoSetOf(symbols),
      descriptorSetOf: async (symbols) => fileDescriptorSetOf(await reflection.filesOf(symbols)),
    };
  }
  let protos: ProtoSet;
  try {
    protos = ProtoSet.load(flags.proto, { includeDirs: flags['import-path'] ?? [] });
  } catch (error: unknown) {
    throw new UsageError(`--proto: ${(error as Error).message}`);
  }
  return {
    listServices: async () => [...protos.serviceNames].sort(),
    protoSetOf: async () => protos,
    descriptorSetOf: async () => protos.toDescriptorSet(),
  };
}

async function list(schema: Schema, service: string | undefined, output: CommandOutput): Promise<void> {
  if (service === undefined) {
    for (const name of await schema.listServices()) output.print(name);
    return;
  }
  for (const method of (await serviceOf(schema, service)).methods) output.print(`${service}.${method.name}`);
}

async function describe(schema: Schema, symbol: string, output: CommandOutput): Promise<void> {
  const lines = describeSymbol(await schema.descriptorSetOf([symbol]), symbol);
  if (lines === undefined) throw new UsageError(`"${symbol}" is not a service, method, message or enum of the protos`);
  for (const line of lines) output.print(line);
}

async function serviceOf(schema: Schema, service: string): Promise<{ protos: ProtoSet; methods: readonly MethodInfo[] }> {
  const protos = await schema.protoSetOf([service]);
  const found = protos.findService(service);
  if (found === undefined) throw new UsageError(`"${service}" is not a service; wirekit call <address> list shows the services`);
  return { protos, methods: found.methods };
}

interface Invocation {
  readonly schema: Schema;
  readonly channel: Channel;
  readonly method: string;
  readonly flags: CallFlags;
  readonly callOptions: CallOptions;
  readonly output: CommandOutput;
}

async function invoke({ schema, channel, method, flags, callOptions, output }: Invocation): Promise<number> {
  const split = /^\.?(?<service>[\w.]+)[./](?<name>\w+)$/.exec(method)?.groups;
  if (split?.service === undefined || split.name === undefined) {
    throw new UsageError(`"${method}" is not a method: write package.Service/Method (or list, or describe)`);
  }
  const { service, name } = split;
  const { protos, methods } = await serviceOf(schema, service);
  const info = methods.find((candidate) => candidate.name === name);
  if (info === undefined) {
    throw new UsageError(`service ${service} has no method "${name}"; its methods: ${methods.map((m) => m.name).join(', ')}`);
  }
  const definition = defineService(protos, service);
  const rpc = definition.methods[name];
  if (rpc === undefined) throw new UsageError(`service ${service} has no method "${name}"`);
  const requests = await requestsOf(flags.data, info, (json) => rpc.requestCodec.fromJson(json));
  const verbose = flags.verbose === true;
  let received = 0;
  const options: CallOptions = {
    ...callOptions,
    ...(verbose
      ? {
          onHeader: (header) => output.print(`Response headers received:\n${formatMetadata(header)}\n`),
          onTrailer: (trailer) => output.print(`Response trailers received:\n${formatMetadata(trailer)}`),
        }
      : {}),
  };
  const print = (response: unknown): void => {
    received++;
    if (verbose && received === 1) output.print('Response contents:');
    output.print(JSON.stringify(rpc.responseCodec.toJson(response), null, 2));
  };
  // The client of a runtime-loaded service is untyped: its methods take and give the codecs' messages.
  const client = createClient(definition, channel) as unknown as Record<
    string,
    (input: unknown, options: CallOptions) => Promise<unknown> | AsyncIterable<unknown>
  >;
  const call = client[name.charAt(0).toLowerCase() + name.slice(1)];
  if (call === undefined) throw new UsageError(`service ${service} has no method "${name}"`);
  const result = call(info.requestStream ? requests : requests[0], options);
  if (info.responseStream) {
    for await (const response of result as AsyncIterable<unknown>) print(response);
  } else {
    print(await (result as Promise<unknown>));
  }
  if (verbose)
    output.print(
      `\nSent ${requests.length} request${requests.length === 1 ? '' : 's'} and received ${received} response${received === 1 ? '' : 's'}`,
    );
  return 0;
}

async function requestsOf(data: string | undefined, info: MethodInfo, fromJson: (json: unknown) => unknown): Promise<unknown[]> {
  const text = data === '@' ? await readStdin() : data;
  let values: unknown[];
  try {
    values = text === undefined ? [] : parseJsonRequests(text);
  } catch (error: unknown) {
    throw new UsageError(`-d: ${(error as Error).message}`);
  }
  if (!info.requestStream) {
    if (values.length > 1) throw new UsageError(`${info.name} takes one request, but -d has ${values.length}`);
    if (values.length === 0) values = [{}];
  }
  return values.map((value, index) => {
    try {
      return fromJson(value);
    } catch (error: unknown) {
      throw new UsageError(`request ${index + 1} is not a ${info.requestType}: ${(error as Error).message}`);
    }
  });
}

async function readStdin(): Promise<string> {
  // `-d @`, as grpcurl: the requests come from standard input, read to its end.
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function formatMetadata(metadata: Metadata): string {
  if (metadata.size === 0) return '(empty)';
  return [...metadata]
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : Buffer.from(value).toString('base64')}`)
    .join('\n');
}

function reportFailure(error: unknown, address: string, flags: CallFlags, output: CommandOutput): number {
  if (error instanceof UsageError) {
    output.error(error.message);
    return 2;
  }
  if (error instanceof ReflectionUnavailableError) {
    output.error(`${error.message} at ${address}; pass the service's protos instead: --proto <file> --import-path <dir>`);
    return 2;
  }
  if (error instanceof SymbolNotFoundError) {
    output.error(`${error.message}; wirekit call ${address} list shows the services`);
    return 2;
  }
  if (RpcError.is(error)) {
    if (error.code === Status.UNAVAILABLE && /No connection established|connect|handshake/i.test(error.rawMessage)) {
      const hint = flags.plaintext ? '' : ' (--plaintext for a server without TLS)';
      // grpc-js's wording ("No connection established. Last error: Error: connect ECONNREFUSED …. Resolution note: ")
      // trimmed to the cause.
      const cause = error.rawMessage
        .replace(/^No connection established\. Last error: (Error: )?/, '')
        .replace(/\.? Resolution note: ?$/, '')
        .trim();
      output.error(`cannot reach ${address}: ${cause}; is the server running?${hint}`);
      return 2;
    }
    for (const line of formatRpcError(error)) output.error(line);
    return 1;
  }
  output.error(error instanceof Error ? error.message : String(error));
  return 2;
}
