import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Start `send(0)`, `send(1)`... at `rate` a second until `running()` turns false, paced by the clock (a stall is
 * not made up for by a burst) and with at most `maxInFlight` unsettled (a stall cannot pile sends up). Resolves
 * once every send begun has settled; `send` records its own outcome and does not reject.
 */
export async function pacedSends(rate: number, maxInFlight: number, running: () => boolean, send: (n: number) => Promise<void>): Promise<void> {
  const pending = new Set<Promise<void>>();
  let credit = 0;
  let last = Date.now();
  let n = 0;
  while (running()) {
    const now = Date.now();
    credit = Math.min(credit + ((now - last) / 1000) * rate, Math.max(1, rate));
    last = now;
    while (running() && credit >= 1 && pending.size < maxInFlight) {
      credit--;
      const sending: Promise<void> = send(n++).finally(() => pending.delete(sending));
      pending.add(sending);
    }
    await sleep(10);
  }
  await Promise.allSettled([...pending]);
}
