import { fileURLToPath } from 'node:url';
import type { CallContext } from '../../call-context.js';
import type { Unary } from '../../definition.js';
import { defineService, ProtoSet } from '../../protos/proto-set.js';
import { Status } from '../../status.js';
import { EchoService } from '../../test-support/echo.generated.js';
import { createRecordingLogger, type RecordingLogger, type RunningApp, startApp } from '../../test-support/harness.js';

/** The self-containing message of `protos/nesting.proto`. */
export interface NestingNode {
  label: string;
  child?: NestingNode;
}

export const NestingService = defineService<{ Depth: Unary<NestingNode, NestingNode> }>(
  ProtoSet.load('nesting.proto', { includeDirs: [fileURLToPath(new URL('protos', import.meta.url))] }),
  'wirekit.hostile.v1.NestingService',
);

/** The largest request message the hostile app accepts. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export const ECHO = `/${EchoService.fullName}/Echo`;
export const EXPAND = `/${EchoService.fullName}/Expand`;
export const COLLECT = `/${EchoService.fullName}/Collect`;
export const CHAT = `/${EchoService.fullName}/Chat`;
export const DEPTH = `/${NestingService.fullName}/Depth`;

/** What the handlers of the hostile app saw. */
export interface HandlerCounts {
  /** Handler invocations. */
  calls: number;
  /** Request messages read by streaming handlers. */
  messages: number;
  /** Responses yielded by Expand (which never fails on its own). */
  expanded: number;
  /** How the signals of finished calls were aborted, by status name. */
  readonly aborts: Status[];
}

export interface HostileApp extends RunningApp {
  readonly counts: HandlerCounts;
  readonly logger: RecordingLogger;
  /** A normal call through Wirekit's own client; resolves only if it succeeds. */
  normalCall(): Promise<void>;
}

/**
 * An app whose handlers never fail on their own (unlike the shared echo handlers, which fail when asked), so
 * every non-OK status a hostile client gets comes from the framework.
 */
export async function startHostileApp(): Promise<HostileApp> {
  const counts: HandlerCounts = { calls: 0, messages: 0, expanded: 0, aborts: [] };
  const logger = createRecordingLogger();
  const watchAbort = (ctx: CallContext): void => {
    ctx.signal.addEventListener('abort', () => counts.aborts.push((ctx.signal.reason as { code: Status }).code), { once: true });
  };
  const running = await startApp({ logger, maxReceiveMessageBytes: MAX_REQUEST_BYTES, health: false, reflection: false }, (app) => {
    app.addService(EchoService, {
      echo: (request) => {
        counts.calls++;
        return { message: request.message };
      },
      async *expand(request, ctx) {
        counts.calls++;
        watchAbort(ctx);
        const payload = new Uint8Array(request.payloadBytes);
        for (let index = 0; index < request.count; index++) {
          counts.expanded++;
          yield { message: request.message, payload };
        }
      },
      collect: async (requests, ctx) => {
        counts.calls++;
        watchAbort(ctx);
        let count = 0;
        for await (const _request of requests) {
          counts.messages++;
          count++;
        }
        return { count };
      },
      async *chat(requests, ctx) {
        counts.calls++;
        watchAbort(ctx);
        for await (const request of requests) {
          counts.messages++;
          yield { message: request.message };
        }
      },
    });
    app.addService(NestingService, {
      depth: (request) => {
        counts.calls++;
        let depth = 0;
        for (let node: NestingNode | undefined = request; node !== undefined; node = node.child) depth++;
        return { label: String(depth) };
      },
    });
  });
  const client = running.client(EchoService);
  return {
    ...running,
    app: running.app,
    address: running.address,
    counts,
    logger,
    async normalCall() {
      const reply = await client.echo({ message: 'still serving' }, { timeoutMs: 5_000 });
      if (reply.message !== 'still serving') throw new Error(`unexpected reply ${reply.message}`);
    },
  };
}

export { Status };

/** The bytes of an EchoRequest with only `message` set. */
export function echoRequestBytes(message: string): Buffer {
  return Buffer.from(EchoService.methods.Echo.requestCodec.encode({ message, sequence: 0n, payload: new Uint8Array(), failWithCode: 0 }));
}
