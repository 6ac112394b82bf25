import type { ReplayProgress } from '@tributary/consumer';

/**
 * A one-line progress bar with rate and time left, redrawn in place. Kept by hand after a look at cli-progress,
 * the well-kept library for this: its rate and time left come from its own timing of update() calls, while
 * replay already reports both from the offsets it has read (ReplayProgress), which is the better estimate; and
 * what else it offers (drawing only on a terminal, clearing the line before other output) replay's ProgressLine
 * does in a few lines it would still need. What is left is one template string, shared by the demo and the
 * command line.
 */
export function formatProgress(p: ReplayProgress, width = 30): string {
  const filled = Math.max(0, Math.min(width, Math.round(p.done * width)));
  const left = Number.isFinite(p.etaSeconds) ? `${p.etaSeconds.toFixed(1)} s left` : '? s left';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(p.done * 100).toFixed(0).padStart(3)}%  ${p.events} events  ${Math.round(p.rate)}/s  ${left}`;
}

/** Draw `p` over the current line of `stream` (a terminal). */
export function drawProgress(p: ReplayProgress, stream: NodeJS.WritableStream = process.stdout): void {
  stream.write(`\r  ${formatProgress(p)}`);
}
