import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBreaking } from './check-breaking.js';

const BASE = `syntax = "proto3";
package shop.v1;

service Orders {
  rpc Place(Order) returns (Order);
  rpc Watch(Order) returns (stream Order);
}

service Admin {
  rpc Purge(Order) returns (Order);
}

enum State {
  STATE_UNSPECIFIED = 0;
  STATE_OPEN = 1;
  STATE_SHIPPED = 2;
}

message Order {
  string id = 1;
  int64 amount = 2;
  State state = 3;
  string note = 4;
  reserved 7;
  reserved "legacy";
}
`;

const workspace = mkdtempSync(join(tmpdir(), 'wirekit-breaking-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

/** Writes a proto root holding shop/v1/shop.proto and returns its path. */
function protoRoot(name: string, source: string): string {
  const root = join(workspace, name);
  mkdirSync(join(root, 'shop', 'v1'), { recursive: true });
  writeFileSync(join(root, 'shop', 'v1', 'shop.proto'), source);
  return root;
}

const base = protoRoot('base', BASE);

async function rulesBroken(name: string, source: string): Promise<string[]> {
  const changes = await checkBreaking({ input: protoRoot(name, source), against: base });
  return [...new Set(changes.map((change) => change.rule))].sort();
}

describe('breaking-change detection (buf rules)', () => {
  it.each([
    ['a changed field number', BASE.replace('int64 amount = 2;', 'int64 amount = 5;'), 'FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED'],
    ['an incompatible wire type', BASE.replace('int64 amount = 2;', 'string amount = 2;'), 'FIELD_WIRE_JSON_COMPATIBLE_TYPE'],
    ['a removed field not reserved', BASE.replace('  string note = 4;\n', ''), 'FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED'],
    ['a removed enum value not reserved', BASE.replace('  STATE_SHIPPED = 2;\n', ''), 'ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED'],
    ['a reused field number', BASE.replace('string note = 4;', 'int32 priority = 4;'), 'FIELD_SAME_NAME'],
    ['a reused field name', BASE.replace('string note = 4;', 'string note = 9;'), 'FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED'],
    ['a changed meaning of enum value 0', BASE.replace('STATE_UNSPECIFIED = 0;', 'STATE_NEW = 0;'), 'ENUM_VALUE_SAME_NAME'],
    ['a removed rpc', BASE.replace('  rpc Watch(Order) returns (stream Order);\n', ''), 'RPC_NO_DELETE'],
    ['a renamed rpc', BASE.replace('rpc Place(', 'rpc Submit('), 'RPC_NO_DELETE'],
    ['a removed service', BASE.replace('service Admin {\n  rpc Purge(Order) returns (Order);\n}\n', ''), 'SERVICE_NO_DELETE'],
    ['a renamed service', BASE.replace('service Admin {', 'service Operations {'), 'SERVICE_NO_DELETE'],
    ['a changed streaming mode', BASE.replace('returns (stream Order)', 'returns (Order)'), 'RPC_SAME_SERVER_STREAMING'],
    ['a changed client-streaming mode', BASE.replace('rpc Place(Order)', 'rpc Place(stream Order)'), 'RPC_SAME_CLIENT_STREAMING'],
    [
      'a re-used reserved field number',
      BASE.replace('  reserved 7;\n', '').replace('string note = 4;', 'string note = 4;\n  string extra = 7;'),
      'RESERVED_MESSAGE_NO_DELETE',
    ],
    [
      'a re-used reserved field name',
      BASE.replace('  reserved "legacy";\n', '').replace('string note = 4;', 'string note = 4;\n  string legacy = 8;'),
      'RESERVED_MESSAGE_NO_DELETE',
    ],
  ])('catches %s', async (name, source, rule) => {
    expect(await rulesBroken(name.replaceAll(' ', '-'), source)).toContain(rule);
  });

  it('passes a compatible evolution: a new field, a new rpc, a removed field reserved', async () => {
    const evolved = BASE.replace(
      '  rpc Watch(Order) returns (stream Order);\n',
      '  rpc Watch(Order) returns (stream Order);\n  rpc Cancel(Order) returns (Order);\n',
    ).replace('  string note = 4;\n', '  reserved 4;\n  reserved "note";\n  repeated string tags = 5;\n');
    expect(await checkBreaking({ input: protoRoot('compatible', evolved), against: base })).toEqual([]);
  });

  it('reports file, line and message', async () => {
    const [change] = await checkBreaking({ input: protoRoot('located', BASE.replace('  STATE_SHIPPED = 2;\n', '')), against: base });
    expect(change).toMatchObject({ file: 'shop/v1/shop.proto', rule: expect.any(String) });
    expect(change?.line).toBeGreaterThan(0);
    expect(change?.message).toContain('STATE_SHIPPED');
  });

  it('compares against a git reference of the repository that holds the protos', async () => {
    const repo = join(workspace, 'repo');
    const root = protoRoot(join('repo', 'proto'), BASE);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'empty');
    git('add', '.');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'v1');
    writeFileSync(join(root, 'shop', 'v1', 'shop.proto'), BASE.replace('  string note = 4;\n', ''));
    const changes = await checkBreaking({ input: root, against: 'main' });
    expect(changes.map((change) => change.rule)).toContain('FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED');
    await expect(checkBreaking({ input: root, against: 'no-such-ref' })).rejects.toThrow(/neither a directory nor a git reference/);
  });

  it('explains a proto that does not compile instead of reporting nothing', async () => {
    await expect(checkBreaking({ input: protoRoot('broken', 'syntax = "proto3"; message {'), against: base })).rejects.toThrow(
      /buf could not compare the protos/,
    );
  });
});
