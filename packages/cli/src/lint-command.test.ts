import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { captured } from './test-support/captured-output.js';

const workspace = mkdtempSync(join(tmpdir(), 'wirekit-lint-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function protoRoot(name: string, source: string): string {
  const root = join(workspace, name);
  mkdirSync(join(root, 'shop', 'v1'), { recursive: true });
  writeFileSync(join(root, 'shop', 'v1', 'shop.proto'), source);
  return root;
}

const CLEAN = `syntax = "proto3";
package shop.v1;

service OrderService {
  rpc GetOrder(GetOrderRequest) returns (Order);
}

enum OrderState {
  ORDER_STATE_UNSPECIFIED = 0;
  ORDER_STATE_OPEN = 1;
}

message GetOrderRequest { string order_id = 1; }
message Order { string order_id = 1; OrderState state = 2; }
`;

describe('wirekit lint', () => {
  it('exits 0 for protos that follow the rules, resource-style responses included', async () => {
    const output = captured();
    expect(await runCli(['lint', '--input', protoRoot('clean', CLEAN)], output)).toBe(0);
    expect(output.out).toEqual([`no lint problems in ${join(workspace, 'clean')}`]);
  });

  it('exits 1 and names each problem with its file, line and rule', async () => {
    const messy = CLEAN.replace('service OrderService', 'service Orders')
      .replace('ORDER_STATE_UNSPECIFIED', 'NONE')
      .replace('string order_id = 1; OrderState', 'string orderId = 1; OrderState');
    const output = captured();
    expect(await runCli(['lint', '--input', protoRoot('messy', messy)], output)).toBe(1);
    const report = output.out.join('\n');
    expect(report).toMatch(/shop\/v1\/shop\.proto:4:\d+ SERVICE_SUFFIX /);
    expect(report).toMatch(/shop\/v1\/shop\.proto:\d+:\d+ ENUM_ZERO_VALUE_SUFFIX /);
    expect(report).toMatch(/shop\/v1\/shop\.proto:\d+:\d+ ENUM_VALUE_PREFIX /);
    expect(report).toMatch(/shop\/v1\/shop\.proto:\d+:\d+ FIELD_LOWER_SNAKE_CASE /);
    expect(output.err).toEqual([`${output.out.length} lint problems in ${join(workspace, 'messy')}`]);
  });

  it('applies all of STANDARD with --rules, and leaves rules out with --except', async () => {
    const root = protoRoot('strict', CLEAN);
    const strict = captured();
    expect(await runCli(['lint', '--input', root, '--rules', 'STANDARD'], strict)).toBe(1);
    expect(strict.out.join('\n')).toMatch(/RPC_RESPONSE_STANDARD_NAME/);
    const relaxed = captured();
    expect(
      await runCli(
        ['lint', '--input', root, '--rules', 'STANDARD', '--except', 'RPC_RESPONSE_STANDARD_NAME,RPC_REQUEST_RESPONSE_UNIQUE'],
        relaxed,
      ),
    ).toBe(0);
  });

  it('passes on the payments example, whose contract is fixed', async () => {
    const payments = fileURLToPath(new URL('../../../examples/payments/proto', import.meta.url));
    expect(await runCli(['lint', '--input', payments], captured())).toBe(0);
  });

  it('exits 2 with the reason when the protos cannot be linted', async () => {
    const broken = captured();
    expect(
      await runCli(['lint', '--input', protoRoot('broken', 'syntax = "proto3";\npackage shop.v1;\nmessage M { strin x = 1; }\n')], broken),
    ).toBe(2);
    expect(broken.err[0]).toMatch(/do not compile/);
    const missing = captured();
    expect(await runCli(['lint', '--input', join(workspace, 'nowhere')], missing)).toBe(2);
    expect(missing.err[0]).toMatch(/is not a directory/);
    const unknownRule = captured();
    expect(await runCli(['lint', '--input', protoRoot('rules', CLEAN), '--rules', 'NO_SUCH_RULE'], unknownRule)).toBe(2);
    expect(unknownRule.err[0]).toMatch(/could not lint/);
  });
});
