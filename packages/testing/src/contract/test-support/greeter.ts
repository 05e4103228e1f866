import { fileURLToPath } from 'node:url';
import { type BidiStreaming, type ClientStreaming, defineService, ProtoSet, type ServerStreaming, type Unary } from '@wirekit/core';

export interface HelloRequest {
  name: string;
  times: number;
}
export interface HelloReply {
  message: string;
}

const protos = ProtoSet.load('greeter/v1/greeter.proto', {
  includeDirs: [fileURLToPath(new URL('../../../../../docs/protos', import.meta.url))],
});

/** The docs' greeter service, with an rpc of each mode, for the contract checker's tests. */
export const Greeter = defineService<{
  SayHello: Unary<HelloRequest, HelloReply>;
  SayHelloStream: ServerStreaming<HelloRequest, HelloReply>;
  GreetAll: ClientStreaming<HelloRequest, HelloReply>;
  Converse: BidiStreaming<HelloRequest, HelloReply>;
}>(protos, 'greeter.v1.Greeter');
