import { randomBytes } from 'node:crypto';
import { silentLogger } from '@tributary/consumer';
import { createChannelLayer, ensureChannelTopics, type ChannelLayer } from '@tributary/commands';
import { ensureMessagingTopics } from '@tributary/messaging';

/** What a run of group sends measured: each channel's delivery latency, and the deliveries per second. */
export interface GroupSendRun {
  /** Milliseconds from the groupSend call to the message taken by the channel's receive, one per delivery. */
  latencies: number[];
  /** Channel deliveries received per second over the window (group sends x members). */
  messagesPerSec: number;
  groupSends: number;
}

/** A group of channels spread over receiving layers, and a layer of another process that sends to the group. */
export interface GroupSendBed {
  /** Closed loop: one groupSend at a time, the next once every member's owner took the last, for `ms`. */
  run(ms: number): Promise<GroupSendRun>;
  close(): Promise<void>;
}

export interface GroupSendBedOptions {
  brokers: string[];
  /** Members of the group, shared out among `receivers` layers. */
  channels: number;
  /** Channel layers owning the channels, each with a messaging hub of its own, as separate processes have. */
  receivers: number;
  /** Each groupSend's deadline. */
  timeoutMs: number;
}

/**
 * `receivers` channel layers owning `channels` channels in one group, each channel with a receive loop; a sender
 * layer with a hub of its own, which sees every membership before the bed is returned. Topics of its own.
 */
export async function startGroupSendBed(options: GroupSendBedOptions): Promise<GroupSendBed> {
  const connection = { brokers: options.brokers, logger: silentLogger };
  const messagingPrefix = `bench-chan-msg-${randomBytes(4).toString('hex')}`;
  const prefix = `bench-chan-${randomBytes(4).toString('hex')}`;
  await ensureMessagingTopics(connection, { prefix: messagingPrefix });
  await ensureChannelTopics(connection, { prefix });
  const layers: ChannelLayer[] = [];
  const layer = () => {
    const l = createChannelLayer({ connection, prefix, logger: silentLogger, messaging: { prefix: messagingPrefix } });
    layers.push(l);
    return l;
  };
  const close = async () => void (await Promise.allSettled(layers.map((l) => l.close())));
  const group = 'bench-group';
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const broken: Error[] = [];
  try {
    const receivers = Array.from({ length: options.receivers }, layer);
    const owned = await Promise.all(Array.from({ length: options.channels }, async (_, i) => ({ layer: receivers[i % receivers.length]!, channel: await receivers[i % receivers.length]!.newChannel() })));
    for (const { layer: l, channel } of owned) await l.groupAdd(group, channel);
    for (const { layer: l, channel } of owned) void receiveLoop(l, channel, (seq) => latencies.push(performance.now() - sentAt.get(seq)!), broken);
    const sender = layer();
    const deadline = Date.now() + options.timeoutMs;
    while ((await sender.groupMembers(group)).length < options.channels) {
      if (Date.now() > deadline) throw new Error(`the sender saw ${(await sender.groupMembers(group)).length} of ${options.channels} group members in ${options.timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    let seq = 0;
    const run = async (ms: number): Promise<GroupSendRun> => {
      latencies.length = 0;
      const started = performance.now();
      let sends = 0;
      while (performance.now() - started < ms) {
        const n = seq++;
        sentAt.set(n, performance.now());
        const result = await sender.groupSend(group, { seq: n }, { timeout: options.timeoutMs });
        if (result.failed.length > 0 || result.delivered.length !== options.channels) {
          throw new Error(`groupSend reached ${result.delivered.length} of ${options.channels} channels: ${result.failed.map((f) => `${f.channel}: ${f.error.message}`).slice(0, 3).join('; ')}`);
        }
        sends++;
      }
      // Every delivery taken by its receive: the owners took them all before groupSend resolved.
      const expected = sends * options.channels;
      const drainDeadline = performance.now() + options.timeoutMs;
      while (latencies.length < expected && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 2));
      if (broken.length > 0) throw new Error(`a receive failed during the run: ${broken[0]!.message}`, { cause: broken[0] });
      if (latencies.length < expected) throw new Error(`receivers took ${latencies.length} of ${expected} deliveries`);
      const seconds = (performance.now() - started) / 1000;
      return { latencies: [...latencies], messagesPerSec: expected / seconds, groupSends: sends };
    };
    return { run, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Take every message of `channel`, telling `onMessage` each one's sequence number, until a receive fails: when
 * the layer closes at the end, or else a failure `run()` reports (kept in `broken`).
 */
async function receiveLoop(layer: ChannelLayer, channel: string, onMessage: (seq: number) => void, broken: Error[]): Promise<void> {
  try {
    for (;;) onMessage((await layer.receive<{ seq: number }>(channel)).seq);
  } catch (error) {
    broken.push(error as Error);
  }
}
