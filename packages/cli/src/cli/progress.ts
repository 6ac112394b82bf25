import type { ReplayProgress } from '@tributary/consumer';

/**
 * A one-line progress bar with rate and time left, redrawn in place. Written by hand rather than taken from a
 * library: replay reports its own rate and estimate (ReplayProgress), so all that is left is one template
 * string, and the demo and the command line share it from here.
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
