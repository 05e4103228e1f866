// Imported first by a test that names its own DNS server in a target (`dns://127.0.0.1:5353/name:port`).
// grpc-js honours a target's DNS server only in its alternative (c-ares) resolver, chosen by an environment
// variable it reads once, when it loads; so this module must run before anything imports @grpc/grpc-js. The
// test checks that it did (see `alternativeResolverInUse`).
process.env.GRPC_NODE_USE_ALTERNATIVE_RESOLVER = 'true';
