import { Client, credentials, Metadata as GrpcMetadata } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { Status } from '../status.js';
import { EchoService } from '../test-support/echo.generated.js';
import { type RunningApp, startApp } from '../test-support/harness.js';

// What a client that is not Wirekit's can send: raw paths and raw bytes, over a real socket only.
describe('errors for requests only a raw client can make', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('answers UNIMPLEMENTED for a method the server does not have', async () => {
    running = await startApp({}, (app) => app.addService(EchoService, { echo: (request) => request }, { allowUnimplemented: true }));
    const raw = new Client(running.address, credentials.createInsecure());
    try {
      const status = await new Promise<{ code: number; details: string }>((resolve) => {
        raw.makeUnaryRequest(
          '/wirekit.test.v1.EchoService/NoSuchMethod',
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          Buffer.alloc(0),
          new GrpcMetadata(),
          {},
          (error) => resolve(error as unknown as { code: number; details: string }),
        );
      });
      expect(status.code).toBe(Status.UNIMPLEMENTED);
    } finally {
      raw.close();
    }
  });

  it('answers INTERNAL with a readable message when request bytes are not the request message', async () => {
    running = await startApp({}, (app) => app.addService(EchoService, { echo: (request) => request }, { allowUnimplemented: true }));
    const raw = new Client(running.address, credentials.createInsecure());
    try {
      const status = await new Promise<{ code: number; details: string }>((resolve) => {
        // Field 1 with wire type 7, which does not exist.
        raw.makeUnaryRequest(
          '/wirekit.test.v1.EchoService/Echo',
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          Buffer.from([0x0f, 0x01]),
          new GrpcMetadata(),
          {},
          (error) => resolve(error as unknown as { code: number; details: string }),
        );
      });
      expect(status.code).toBe(Status.INTERNAL);
      expect(status.details).toMatch(/could not parse the request as wirekit\.test\.v1\.EchoRequest/);
      await expect(running.client(EchoService).echo({ message: 'fine' })).resolves.toMatchObject({ message: 'fine' });
    } finally {
      raw.close();
    }
  });
});
