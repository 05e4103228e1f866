// bench.v1.Echo on NestJS 12's gRPC microservice transport (Transport.GRPC), written as the NestJS docs write one:
// a controller whose methods carry @GrpcMethod (unary, and server streaming answering an Observable) and
// @GrpcStreamMethod (client and bidi streaming, taking an Observable of requests), in a module started by
// NestFactory.createMicroservice. Plain JavaScript has no decorator syntax, so they are applied with
// Reflect.decorate, the function TypeScript's compiled decorators call: the same metadata, the same wrapping.
import 'reflect-metadata';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod, GrpcStreamMethod, Transport } from '@nestjs/microservices';
import { map, Observable, reduce } from 'rxjs';
import { reportToHarness } from './report-usage.mjs';

class EchoController {
  unary(request) {
    return { data: request.data };
  }

  serverStream(request) {
    const data = Buffer.alloc(request.size, 0x61);
    return new Observable((subscriber) => {
      for (let index = 0; index < request.count && !subscriber.closed; index++) subscriber.next({ data });
      subscriber.complete();
    });
  }

  clientStream(requests) {
    return requests.pipe(
      reduce((summary, payload) => ({ count: summary.count + 1, bytes: summary.bytes + payload.data.length }), { count: 0, bytes: 0 }),
    );
  }

  bidi(requests) {
    return requests.pipe(map((payload) => ({ data: payload.data })));
  }
}

/** Applies method decorators as TypeScript's `__decorate` does: the descriptor they return (or change) is defined. */
function decorateMethod(target, key, ...decorators) {
  const descriptor = Reflect.decorate(decorators, target, key, Object.getOwnPropertyDescriptor(target, key));
  Object.defineProperty(target, key, descriptor);
}

decorateMethod(EchoController.prototype, 'unary', GrpcMethod('Echo', 'Unary'));
decorateMethod(EchoController.prototype, 'serverStream', GrpcMethod('Echo', 'ServerStream'));
decorateMethod(EchoController.prototype, 'clientStream', GrpcStreamMethod('Echo', 'ClientStream'));
decorateMethod(EchoController.prototype, 'bidi', GrpcStreamMethod('Echo', 'Bidi'));
const Controllers = Reflect.decorate([Controller()], EchoController);

class EchoModule {}
const AppModule = Reflect.decorate([Module({ controllers: [Controllers] })], EchoModule);

/** A port that was free a moment ago: NestJS takes a URL and does not say which port port 0 became. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const protoPath = fileURLToPath(new URL('../echo.proto', import.meta.url));
const loader = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

/** Starts the microservice; another process may take the free port before it binds, so a few ports are tried. */
async function start(attempts = 5) {
  const port = await freePort();
  const app = await NestFactory.createMicroservice(AppModule, {
    transport: Transport.GRPC,
    options: { package: 'bench.v1', protoPath, loader, url: `127.0.0.1:${port}` },
    logger: ['error', 'warn'],
  });
  try {
    await app.listen();
    return { app, port };
  } catch (error) {
    await app.close();
    if (attempts <= 1 || !/EADDRINUSE|No address added/i.test(String(error?.message ?? error))) throw error;
    return start(attempts - 1);
  }
}

const { app, port } = await start();
reportToHarness(port, () => app.close());
