import type { LoadProgress } from '@asp/loadgen';

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

const BAR_WIDTH = 24;

/** The load's progress line with live items/s: one updating line on a terminal, a line every 5 s in a log. */
export class Progress {
  readonly #label: string;
  readonly #durationS: number;
  readonly #tty: boolean;
  readonly #write: (s: string) => void;
  #lastLogS = 0;
  #drawn = false;

  constructor(label: string, durationMs: number, out: NodeJS.WriteStream = process.stdout) {
    this.#label = label;
    this.#durationS = durationMs / 1000;
    this.#tty = out.isTTY === true;
    this.#write = (s) => out.write(s);
  }

  update(p: LoadProgress): void {
    const s = p.elapsedMs / 1000;
    const line = progressLine(this.#label, s, this.#durationS, p.itemsPerSecond, p.answered);
    if (this.#tty) {
      this.#write(`\r${line}\x1b[K`);
      this.#drawn = true;
    } else if (s - this.#lastLogS >= 5) {
      this.#lastLogS = s;
      this.#write(`${line}\n`);
    }
  }

  /** Ends the live line so the next output starts on its own. */
  done(): void {
    if (this.#drawn) this.#write('\n');
    this.#drawn = false;
  }
}

export function progressLine(
  label: string,
  s: number,
  totalS: number,
  perS: number,
  answered: number,
): string {
  const filled = Math.max(0, Math.min(BAR_WIDTH, Math.round((s / Math.max(totalS, 1e-9)) * BAR_WIDTH)));
  const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
  return `  ${label.padEnd(16)} [${bar}] ${s.toFixed(0).padStart(4)}/${totalS.toFixed(0)} s  ${fmtInt(perS).padStart(9)} items/s  ${fmtInt(answered)} items`;
}
