// Public API of @wirekit/core. Everything a service or a client author uses is named here; nothing else is public.

export { Status, statusName, isStatus } from './status.js';
export { Metadata } from './metadata.js';
export type { BinaryKey, MetadataInit, MetadataValue } from './metadata.js';
export { RpcError } from './rpc-error.js';
export { formatRpcError } from './format-rpc-error.js';
export type { RpcErrorOptions } from './rpc-error.js';
export { badRequest, errorInfo, isUnknownErrorDetail, retryInfo } from './error-details.js';
export type {
  BadRequest,
  DebugInfo,
  ErrorDetail,
  ErrorDetailOf,
  ErrorInfo,
  FieldViolation,
  Help,
  KnownErrorDetail,
  LocalizedMessage,
  PreconditionFailure,
  PreconditionViolation,
  ProtoDuration,
  QuotaFailure,
  QuotaViolation,
  RequestInfo,
  ResourceInfo,
  RetryInfo,
  UnknownErrorDetail,
} from './error-details.js';
export { decodeStatusDetails, encodeStatusDetails } from './status-details-codec.js';
export type { RichStatus } from './status-details-codec.js';
export { createContextKey } from './context-key.js';
export type { ContextKey } from './context-key.js';
export type { CallContext, MethodDescriptor } from './call-context.js';
export { createMethodOption, readMethodOption } from './method-option.js';
export type { MethodOption, MethodOptionDecorator } from './method-option.js';
export type { MessageInit } from './message-init.js';

// Protos and definitions
export { ProtoSet, defineService } from './protos/proto-set.js';
export type { MethodInfo, ProtoLoadOptions, ServiceInfo } from './protos/proto-set.js';
export type { JsonObject, JsonValue } from './protos/json-value.js';
export { ProtoTimestamp } from './protos/proto-timestamp.js';
export { durationFromMilliseconds, durationToMilliseconds } from './protos/duration.js';
export { anyTypeName, packAny, unpackAny } from './protos/any-message.js';
export { unknownFields } from './protos/unknown-fields.js';
export { STATUS_DETAILS_KEY } from './status-details-codec.js';
export type {
  AnyMethodDefinition,
  BidiStreaming,
  ClientStreaming,
  MessageCodec,
  MethodDefinition,
  MethodMap,
  RequestOf,
  ResponseOf,
  RpcMode,
  ServerStreaming,
  ServiceDefinition,
  Unary,
} from './definition.js';
export type {
  BidiStreamingHandler,
  ClientStreamingHandler,
  HandlerFor,
  ServerStreamingHandler,
  ServiceImplementation,
  UnaryHandler,
} from './handler.js';

// Decorators and dependency injection
export { Service } from './decorators/service.js';
export type { ServiceOptions } from './decorators/service.js';
export { BidiStreamingMethod, ClientStreamingMethod, ServerStreamingMethod, UnaryMethod } from './decorators/method.js';
export { UseMiddleware } from './decorators/use-middleware.js';
export { Inject, Injectable } from './decorators/injectable.js';
export { InjectionToken } from './di/token.js';
export type { Token } from './di/token.js';
export { DependencyError } from './di/container.js';
export type { ClassProvider, ExistingProvider, FactoryProvider, OnShutdown, OnStart, Provider, ValueProvider } from './di/provider.js';

// Server
export { App, createApp } from './server/app.js';
export type { AddServiceOptions, AppOptions, ListenResult, ServedService } from './server/app.js';
export { StartupError } from './server/startup-error.js';
export { receivedCompressed } from './server/compressed-requests.js';
export { compressResponse } from './server/response-compression.js';
export type { HealthStatus } from './server/health.js';
export type { ResponseCompressionAlgorithm, ResponseCompressionOptions } from './server/response-compression.js';
export type { KeepaliveOptions, ServerTlsOptions, TransportOptions } from './server/server-options.js';
export type { PemSource } from './server/pem.js';
export type {
  ServerCall,
  ServerMiddleware,
  ServerNext,
  ServerSingleNext,
  SingleRequestCall,
  StreamRequestCall,
} from './middleware/server-middleware.js';
export { withSingleForm } from './middleware/server-middleware.js';
export { createSilentLogger, createStderrLogger } from './logger.js';
export type { Logger } from './logger.js';

// Client
export { closeClient, createClient } from './client/create-client.js';
export type { Client, ClientMethod, ClientOptions, RequestStream } from './client/create-client.js';
export { Channel, createChannel } from './client/channel.js';
export type { ClientTransport } from './client/client-transport.js';
export { InMemoryTransport } from './in-memory/in-memory-transport.js';
export type { InMemoryClientOptions } from './in-memory/in-memory-transport.js';
export type { ChannelSettings, ClientTlsOptions } from './client/channel.js';
export { effectiveDeadline } from './client/call-options.js';
export type { CallOptions } from './client/call-options.js';
export type {
  ClientCall,
  ClientMiddleware,
  ClientNext,
  SingleRequestClientCall,
  StreamRequestClientCall,
} from './client/client-middleware.js';
