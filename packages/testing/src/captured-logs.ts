import type { Logger } from '@wirekit/core';

/** One line the app logged during a test. */
export interface CapturedLog {
  readonly level: 'error' | 'warn' | 'info';
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A logger that keeps every entry for the test to read, instead of printing it. */
export class CapturingLogger implements Logger {
  readonly entries: CapturedLog[] = [];

  error(fields: Readonly<Record<string, unknown>>, message: string): void {
    this.entries.push({ level: 'error', message, fields });
  }

  warn(fields: Readonly<Record<string, unknown>>, message: string): void {
    this.entries.push({ level: 'warn', message, fields });
  }

  info(fields: Readonly<Record<string, unknown>>, message: string): void {
    this.entries.push({ level: 'info', message, fields });
  }
}
