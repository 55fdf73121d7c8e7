// A one-line progress bar on stderr (only when stderr is a terminal, or when
// asked with --progress): records read from the card, of the total expected.
import type { SyncProgress } from './sync.js';

export class ProgressBar {
  private last = 0;
  private shown = false;
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly width = 30,
  ) {}

  update(p: SyncProgress): void {
    const now = Date.now();
    if (p.phase === 'dump' && now - this.last < 100 && p.done < p.total) return;
    this.last = now;
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
    const fill = Math.round(frac * this.width);
    const bar = '#'.repeat(fill) + '-'.repeat(this.width - fill);
    const what = p.phase === 'dump' ? `${p.done}/${p.total} records, ${p.uploaded} uploaded` : p.phase === 'apply' ? 'applying the authority\'s answer' : 'done';
    this.out.write(`\r[${bar}] ${String(Math.round(frac * 100)).padStart(3)}% ${what}\x1b[K`);
    this.shown = true;
  }

  end(): void {
    if (this.shown) this.out.write('\n');
    this.shown = false;
  }
}
