// The files `wirekit new` writes: a small, complete service in Wirekit's recommended shape. Each template is a
// function of the project's names, so the project builds and passes its own tests as soon as it is written.

/** The names a new project derives from the one the user gave (`inventory-items`). */
export interface ProjectNames {
  /** The directory and npm package name: `inventory-items`. */
  readonly name: string;
  /** The proto package's first part: `inventory_items` (proto packages take no dashes). */
  readonly protoPackage: string;
  /** The service, PascalCase with buf's `Service` suffix: `InventoryItemsService`. */
  readonly service: string;
  /** The implementing class: `InventoryItemsHandlers`. */
  readonly handlersClass: string;
}

/** The versions a standalone project depends on: the ones this workspace is built and tested with. */
export interface DependencyVersions {
  readonly wirekit: string;
  readonly typescript: string;
  readonly vitest: string;
  readonly typesNode: string;
}

/** Derives the names, or says why `name` cannot name a project. */
export function projectNames(name: string): ProjectNames {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new Error(
      `"${name}" cannot name a service: use lower-case letters and digits, words joined by dashes, starting with a letter (e.g. inventory or order-history)`,
    );
  }
  const words = name.split('-');
  const pascal = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
  return { name, protoPackage: words.join('_'), service: `${pascal}Service`, handlersClass: `${pascal}Handlers` };
}

/** Every file of the project, by path relative to its directory. */
export function projectFiles(names: ProjectNames, versions: DependencyVersions): Map<string, string> {
  const protoPath = `${names.protoPackage}/v1/${names.protoPackage}.proto`;
  const serviceFile = `${names.name}-service`;
  return new Map([
    [`proto/${protoPath}`, protoFile(names)],
    [`src/${serviceFile}.ts`, serviceSource(names)],
    [`src/${serviceFile}.test.ts`, testSource(names, serviceFile)],
    ['src/main.ts', mainSource(names, serviceFile)],
    ['package.json', packageJson(names, versions)],
    ['tsconfig.json', tsconfig()],
    ['tsconfig.build.json', tsconfigBuild()],
    ['vitest.config.ts', vitestConfig()],
    ['.gitignore', 'node_modules/\ndist/\n'],
    ['README.md', readme(names, protoPath)],
  ]);
}

function protoFile({ protoPackage, service }: ProjectNames): string {
  return `syntax = "proto3";

package ${protoPackage}.v1;

// ${service} greets people: one greeting per call, or a countdown of them as a stream.
service ${service} {
  // Greets one person.
  rpc Greet(GreetRequest) returns (GreetResponse);
  // Greets one person \`times\` times, one message each.
  rpc GreetRepeatedly(GreetRepeatedlyRequest) returns (stream GreetResponse);
}

message GreetRequest {
  // Who to greet; required.
  string name = 1;
}

message GreetRepeatedlyRequest {
  string name = 1;
  // How many greetings, 1 to 100.
  int32 times = 2;
}

message GreetResponse {
  string message = 1;
}
`;
}

function serviceSource({ service, handlersClass }: ProjectNames): string {
  return `import { type CallContext, RpcError, ServerStreamingMethod, Service, Status, UnaryMethod } from '@wirekit/core';
import { type GreetRepeatedlyRequest, type GreetRequest, type GreetResponse, ${service} } from './gen/protos.js';

@Service(${service})
export class ${handlersClass} {
  @UnaryMethod()
  async greet(request: GreetRequest): Promise<GreetResponse> {
    return { message: \`Hello, \${requiredName(request.name)}!\` };
  }

  @ServerStreamingMethod()
  async *greetRepeatedly(request: GreetRepeatedlyRequest, ctx: CallContext): AsyncGenerator<GreetResponse> {
    const name = requiredName(request.name);
    if (request.times < 1 || request.times > 100) {
      throw new RpcError(Status.INVALID_ARGUMENT, \`times must be from 1 to 100, not \${request.times}\`);
    }
    for (let time = 1; time <= request.times; time++) {
      ctx.signal.throwIfAborted(); // the client cancelled, or its deadline passed
      yield { message: \`Hello #\${time}, \${name}!\` };
    }
  }
}

function requiredName(name: string): string {
  if (name.trim() === '') throw new RpcError(Status.INVALID_ARGUMENT, 'name is required: say who to greet');
  return name.trim();
}
`;
}

function testSource({ service, handlersClass }: ProjectNames, serviceFile: string): string {
  return `import { RpcError, Status } from '@wirekit/core';
import { createTestApp } from '@wirekit/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ${service} } from './gen/protos.js';
import { ${handlersClass} } from './${serviceFile}.js';

// Through the in-memory channel: no port, the same serialization, middleware and status codes as the network.
async function client() {
  const app = await createTestApp({ services: [${handlersClass}], cleanup: onTestFinished });
  return app.client(${service});
}

describe('${service}', () => {
  it('greets by name', async () => {
    expect(await (await client()).greet({ name: 'Ada' })).toEqual({ message: 'Hello, Ada!' });
  });

  it('answers INVALID_ARGUMENT when the name is missing', async () => {
    const error = await (await client()).greet({ name: ' ' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT });
  });

  it('streams one greeting per time asked', async () => {
    const messages: string[] = [];
    for await (const reply of (await client()).greetRepeatedly({ name: 'Ada', times: 3 })) messages.push(reply.message);
    expect(messages).toEqual(['Hello #1, Ada!', 'Hello #2, Ada!', 'Hello #3, Ada!']);
  });
});
`;
}

function mainSource({ handlersClass }: ProjectNames, serviceFile: string): string {
  return `import { createApp } from '@wirekit/core';
import { ${handlersClass} } from './${serviceFile}.js';

// Health and reflection are on, so \`wirekit call --plaintext 127.0.0.1:50051 list\` works; SIGTERM drains.
const app = createApp({ services: [${handlersClass}], health: true, reflection: true });
const { address } = await app.listen(process.env.ADDRESS ?? '127.0.0.1:50051');
console.log(\`serving on \${address}\`);
`;
}

function packageJson({ name }: ProjectNames, versions: DependencyVersions): string {
  const manifest = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      generate: 'wirekit generate',
      build: 'wirekit generate && tsc -p tsconfig.build.json',
      test: 'wirekit generate && tsc -p . && vitest run',
      // exec: npm's shell is replaced by node, so a SIGTERM npm forwards reaches the server and it drains.
      start: 'exec node dist/main.js',
      lint: 'wirekit lint',
    },
    dependencies: { '@wirekit/core': versions.wirekit },
    devDependencies: {
      '@types/node': versions.typesNode,
      '@wirekit/cli': versions.wirekit,
      '@wirekit/testing': versions.wirekit,
      typescript: versions.typescript,
      vitest: versions.vitest,
    },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function tsconfig(): string {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      // Wirekit's decorators are TypeScript's legacy ones, with constructor parameter types for injection.
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck: true,
      types: ['node'],
      // Type-checks everything, tests included; tsconfig.build.json compiles the service to dist/.
      noEmit: true,
    },
    include: ['src', 'vitest.config.ts'],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function tsconfigBuild(): string {
  const config = {
    extends: './tsconfig.json',
    compilerOptions: { noEmit: false, rootDir: 'src', outDir: 'dist' },
    include: ['src'],
    exclude: ['src/**/*.test.ts'],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function vitestConfig(): string {
  return `import { defineConfig } from 'vitest/config';

// Legacy decorators with metadata in tests too, exactly as tsc emits them for the build.
export default defineConfig({
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: { include: ['src/**/*.test.ts'] },
});
`;
}

function readme({ name, service, protoPackage }: ProjectNames, protoPath: string): string {
  return `# ${name}

A gRPC service made with Wirekit: \`${service}\`, defined in
\`proto/${protoPath}\`.

\`\`\`sh
npm test        # generates src/gen from the protos, type-checks, runs the tests (in memory, no port)
npm run build   # compiles to dist/
npm start       # serves on 127.0.0.1:50051 (ADDRESS to change it)
npx wirekit call --plaintext 127.0.0.1:50051 ${protoPackage}.v1.${service}/Greet -d '{"name": "Ada"}'
\`\`\`

Change the proto, run \`npx wirekit generate --watch\` while you edit, and \`npx wirekit lint\` before you commit.
`;
}
