import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type App,
  type BidiStreaming,
  type Client,
  closeClient,
  createApp,
  createClient,
  createSilentLogger,
  defineService,
  ProtoSet,
  type ServiceDefinition,
  type Unary,
} from '../index.js';
import type { Plain } from './test-support/mapping/bufbuild-bridge.js';
import { comparable } from './test-support/mapping/comparable.js';

// Two versions of one schema (test-support/mapping/evolution/{v1,v2}/item.proto) talking over loopback, each
// way round: v2 adds fields (price, tags, archived), removes legacy_code (reserving its number and name), adds
// STAGE_ARCHIVED, renames title to display_name and widens quantity from int32 to int64.

const evolutionDir = fileURLToPath(new URL('./test-support/mapping/evolution', import.meta.url));
const v1 = ProtoSet.load('item.proto', { includeDirs: [`${evolutionDir}/v1`] });
const v2 = ProtoSet.load('item.proto', { includeDirs: [`${evolutionDir}/v2`] });
const SERVICE = 'mapping.evolution.ItemService';

type ItemMethods = { Update: Unary<Plain, Plain>; Sync: BidiStreaming<Plain, Plain> };
type ItemClient = Client<ServiceDefinition<ItemMethods>>;

/** A server on one schema version that records each request and answers as the test says (echo by default). */
interface ItemServer {
  readonly app: App;
  readonly address: string;
  readonly received: Plain[];
  respond: (request: Plain) => Plain;
}

async function startItemServer(protos: ProtoSet): Promise<ItemServer> {
  const state = { received: [] as Plain[], respond: (request: Plain): Plain => request };
  const app = createApp({ shutdownSignals: [], logger: createSilentLogger(), health: false, reflection: false });
  app.addService(defineService<ItemMethods>(protos, SERVICE), {
    update: (request) => {
      state.received.push(request);
      return state.respond(request);
    },
    sync: async function* (requests) {
      for await (const request of requests) {
        state.received.push(request);
        yield state.respond(request);
      }
    },
  });
  const { address } = await app.listen('127.0.0.1:0');
  return Object.assign(state, { app, address });
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

/** What a v1 peer decodes when nothing is set: every field it knows, at its default. */
const V1_DEFAULTS = { id: '', quantity: 0, title: '', legacyCode: '', stage: 'STAGE_UNSPECIFIED', history: [], stageByRegion: {} };
const V2_DEFAULTS = { id: '', quantity: 0n, displayName: '', stage: 'STAGE_UNSPECIFIED', history: [], stageByRegion: {}, tags: [] };

describe.each([
  ['an old (v1) client and a new (v2) server', v2, v1],
  ['a new (v2) client and an old (v1) server', v1, v2],
])('%s', (_name, serverProtos, clientProtos) => {
  let server: ItemServer;
  let client: ItemClient;
  const oldServer = serverProtos === v1;
  /** The property names and values each side uses for the same field. */
  const name = { server: oldServer ? 'title' : 'displayName', client: oldServer ? 'displayName' : 'title' };
  const serverDefaults = oldServer ? V1_DEFAULTS : V2_DEFAULTS;
  const clientDefaults = oldServer ? V2_DEFAULTS : V1_DEFAULTS;

  beforeAll(async () => {
    server = await startItemServer(serverProtos);
    client = createClient(defineService<ItemMethods>(clientProtos, SERVICE), server.address);
  });

  afterAll(async () => {
    if (client !== undefined) closeClient(client);
    await server?.app.close({ graceMs: 0 });
  });

  beforeEach(() => {
    server.received.length = 0;
    server.respond = (request) => request;
  });

  it('carries a renamed field (same number) under each side’s own name', async () => {
    server.respond = (request) => ({ ...request, [name.server]: `${String(request[name.server])} (seen)` });
    const response = await client.update({ id: 'r1', [name.client]: 'Lamp' });
    expect(server.received[0]).toMatchObject({ id: 'r1', [name.server]: 'Lamp' });
    expect(server.received[0]).not.toHaveProperty(name.client);
    expect(response).toMatchObject({ id: 'r1', [name.client]: 'Lamp (seen)' });
  });

  it('widens int32 to int64 and back within the int32 range, negative values included', async () => {
    const sent = [-5, 2147483647, -2147483648, 0, 1];
    for (const quantity of sent) {
      const response = await client.update({ quantity: oldServer ? BigInt(quantity) : quantity });
      expect(response.quantity).toBe(oldServer ? BigInt(quantity) : quantity);
    }
    expect(server.received.map((request) => request.quantity)).toEqual(sent.map((quantity) => (oldServer ? quantity : BigInt(quantity))));
  });

  // protobuf's rule for int32 ← int64: the value a C++ cast gives, the low 32 bits, and the rest of the
  // message intact. 2^40 + 7 and 2^63 - 1 are 6- and 9-byte varints; 2^31 and -2^31 - 1 lie just outside.
  it.each([
    [2n ** 40n + 7n, 7],
    [2n ** 63n - 1n, -1],
    [2n ** 31n, -2147483648],
    [-(2n ** 31n) - 1n, 2147483647],
  ])('narrows the int64 %s to %s on the int32 side (low 32 bits), the rest of the message intact', async (wide, narrow) => {
    server.respond = (request) => (oldServer ? request : { ...request, quantity: wide });
    const response = await client.update(oldServer ? { id: 'w', quantity: wide, displayName: 'after' } : { id: 'w', title: 'after' });
    const narrowSide = oldServer ? server.received.at(-1) : response;
    expect(narrowSide).toMatchObject({ id: 'w', quantity: narrow, title: 'after' });
  });

  it('passes a field only the new side knows through the old side, intact', async () => {
    const added = { price: { amountMicros: 1_500_000n, currency: 'EUR' }, tags: ['new', 'v2'], archived: false };
    if (oldServer) {
      // The new client sends the new fields; the old server edits what it knows and answers with the rest.
      server.respond = (request) => ({ ...request, title: 'edited by v1' });
      const response = await client.update({ id: 'a1', displayName: 'Lamp', ...added });
      expect(comparable(server.received[0])).toEqual(comparable({ ...V1_DEFAULTS, id: 'a1', title: 'Lamp' }));
      expect(response).toMatchObject({ id: 'a1', displayName: 'edited by v1', ...added });
    } else {
      // The new server answers with the new fields; the old client edits what it knows and sends the item back.
      server.respond = (request) => ({ ...request, ...added });
      const response = await client.update({ id: 'a1', title: 'Lamp' });
      expect(comparable(response)).toEqual(comparable({ ...V1_DEFAULTS, id: 'a1', title: 'Lamp' }));
      server.respond = (request) => request;
      await client.update({ ...response, title: 'edited by v1' });
      expect(server.received.at(-1)).toMatchObject({ id: 'a1', displayName: 'edited by v1', ...added });
    }
  });

  it('passes a removed field (reserved in v2) through the new side, intact', async () => {
    if (oldServer) {
      // The old server sets legacy_code; the new client cannot see it but sends it back with its edit.
      server.respond = (request) => ({ ...request, legacyCode: 'L-7' });
      const response = await client.update({ id: 'x1' });
      expect(Object.keys(response)).not.toContain('legacyCode');
      server.respond = (request) => request;
      await client.update({ ...response, displayName: 'edited by v2' });
      expect(server.received.at(-1)).toMatchObject({ id: 'x1', title: 'edited by v2', legacyCode: 'L-7' });
    } else {
      // The old client sets legacy_code; the new server cannot see it and echoes it back with its edit.
      server.respond = (request) => ({ ...request, displayName: 'edited by v2' });
      const response = await client.update({ id: 'x1', legacyCode: 'L-7' });
      expect(Object.keys(server.received[0] ?? {})).not.toContain('legacyCode');
      expect(response).toMatchObject({ id: 'x1', title: 'edited by v2', legacyCode: 'L-7' });
    }
  });

  it('keeps an added enum value as its number on the old side, which passes it back unchanged', async () => {
    const archived = {
      stage: 'STAGE_ARCHIVED',
      history: ['STAGE_DRAFT', 'STAGE_ARCHIVED'],
      stageByRegion: { eu: 'STAGE_ARCHIVED', us: 'STAGE_LIVE' },
    };
    const asNumbers = { stage: 3, history: ['STAGE_DRAFT', 3], stageByRegion: { eu: 3, us: 'STAGE_LIVE' } };
    if (oldServer) {
      server.respond = (request) => ({ ...request, title: 'seen' });
      const response = await client.update({ id: 'e1', ...archived });
      expect(server.received[0]).toMatchObject(asNumbers);
      expect(response).toMatchObject({ id: 'e1', displayName: 'seen', ...archived });
    } else {
      server.respond = (request) => ({ ...request, ...archived });
      const response = await client.update({ id: 'e1' });
      expect(response).toMatchObject(asNumbers);
      server.respond = (request) => request;
      await client.update({ ...response, title: 'edited by v1' });
      expect(server.received.at(-1)).toMatchObject({ id: 'e1', displayName: 'edited by v1', ...archived });
    }
  });

  it('does all of it in a bidi stream, message by message', async () => {
    const requests = oldServer
      ? [
          { id: 's1', displayName: 'one', quantity: -1n, stage: 'STAGE_ARCHIVED', tags: ['t'] },
          { id: 's2', displayName: 'two', quantity: 2n ** 40n + 7n, price: { amountMicros: 1n, currency: 'USD' } },
          {},
        ]
      : [
          { id: 's1', title: 'one', quantity: -1, legacyCode: 'L1' },
          { id: 's2', title: 'two', quantity: 2147483647, stage: 'STAGE_LIVE' },
          {},
        ];
    server.respond = (request) => ({ ...request, id: `${String(request.id)}+` });
    const responses = await collect(client.sync(requests));
    if (oldServer) {
      expect(server.received).toMatchObject([
        { ...serverDefaults, id: 's1', title: 'one', quantity: -1, stage: 3 },
        { ...serverDefaults, id: 's2', title: 'two', quantity: 7 },
        serverDefaults,
      ]);
      expect(responses).toMatchObject([
        { ...clientDefaults, id: 's1+', displayName: 'one', quantity: -1n, stage: 'STAGE_ARCHIVED', tags: ['t'] },
        { ...clientDefaults, id: 's2+', displayName: 'two', quantity: 7n, price: { amountMicros: 1n, currency: 'USD' } },
        { ...clientDefaults, id: '+' },
      ]);
    } else {
      expect(server.received).toMatchObject([
        { ...serverDefaults, id: 's1', displayName: 'one', quantity: -1n },
        { ...serverDefaults, id: 's2', displayName: 'two', quantity: 2147483647n, stage: 'STAGE_LIVE' },
        serverDefaults,
      ]);
      expect(responses).toMatchObject([
        { ...clientDefaults, id: 's1+', title: 'one', quantity: -1, legacyCode: 'L1' },
        { ...clientDefaults, id: 's2+', title: 'two', quantity: 2147483647, stage: 'STAGE_LIVE' },
        { ...clientDefaults, id: '+' },
      ]);
    }
  });
});
