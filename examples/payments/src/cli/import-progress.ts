import type { CliIo } from './cli-io.js';

/** The progress of an import on standard error, redrawn in place; nothing at all when stderr is not a terminal. */
export interface ImportProgress {
  update(entriesSent: number, bytesRead: number): void;
  /** Clears the bar, so the summary starts on a clean line. */
  done(): void;
}

const WIDTH = 30;

/** A progress bar of entries sent and of the file's bytes read, out of `fileBytes`. */
export function importProgress(io: CliIo, fileBytes: number): ImportProgress {
  if (!io.stderrIsTty) return { update() {}, done() {} };
  let drawn = '';
  return {
    update(entriesSent, bytesRead) {
      const percent = fileBytes === 0 ? 100 : Math.min(100, Math.floor((bytesRead / fileBytes) * 100));
      const filled = Math.round((percent / 100) * WIDTH);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(percent).padStart(3)}%  ${entriesSent.toLocaleString('en')} entries sent`;
      // Redrawn only when it changes: a terminal write per entry would cost more than the import.
      if (bar === drawn) return;
      drawn = bar;
      io.stderr(`\r${bar}`);
    },
    done() {
      if (drawn !== '') io.stderr('\r\u001b[2K');
    },
  };
}
