import { describe, expect, it } from 'vitest';
import type { Codec } from '../../src/codec/codec.js';
import { ErrorCodes, FailedToSendEventError, PartialSendError, PluginConfigError, PluginLoadError, TributaryError } from '../../src/errors.js';
import { Event } from '../../src/event/event.js';
import { EventOffset } from '../../src/offset/event-offset.js';
import type { OutgoingRecord } from '../../src/plugin/outgoing-record.js';
import { ProducerPlugin } from '../../src/plugin/producer-plugin.js';
import { setting } from '../../src/plugin/settings-schema.js';
import { RecordingPlugin } from './recording-plugin.js';

type SendFn = (batch: readonly OutgoingRecord[]) => Promise<ReadonlyArray<EventOffset | undefined>>;

function events(n: number, category = 'test.event'): Event[] {
  return Array.from({ length: n }, (_, i) => Event.create({ category, payload: { i } }));
}

async function opened(settings: Record<string, unknown> = {}, options = {}): Promise<RecordingPlugin> {
  const plugin = new RecordingPlugin({ topic: 'orders', ...settings }, options);
  await plugin.open();
  return plugin;
}

function replaceSend(plugin: RecordingPlugin, send: SendFn): void {
  (plugin as unknown as { _send: SendFn })._send = send;
}

async function sendFailure(promise: Promise<unknown>): Promise<FailedToSendEventError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(FailedToSendEventError);
  return error as FailedToSendEventError;
}

const delayedCodec = (name: string, ms: number): Codec => ({
  name,
  encode: (payload) => new Promise((resolve) => setTimeout(() => resolve(Buffer.from(JSON.stringify(payload))), ms)),
  decode: (bytes) => JSON.parse(bytes.toString()),
});

describe('ProducerPlugin construction', () => {
  it.each([
    [{}, 'topic', 'is missing'],
    [{ topic: 'a b' }, 'topic', 'is "a b"'],
    [{ topic: 't', maxEventBytes: 0 }, 'maxEventBytes', 'is 0'],
    [{ topic: 't', ackDelayMs: -5 }, 'ackDelayMs', 'is -5'],
    [{ topic: 't', bogus: 1 }, 'bogus', 'is not a known setting'],
  ])('rejects settings %j with PluginConfigError naming the plugin and path', (settings, path, problem) => {
    let error: unknown;
    try {
      new RecordingPlugin(settings);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PluginConfigError);
    expect((error as PluginConfigError).context).toMatchObject({ plugin: 'recording', path });
    expect((error as Error).message).toContain(`Setting "${path}" of plugin "recording" ${problem}`);
  });

  it('fills in the base defaults', () => {
    expect(new RecordingPlugin({ topic: 't' }).settings).toEqual({ topic: 't', maxEventBytes: 1_048_576, partitions: 1, ackDelayMs: 0 });
  });

  it('refuses a subclass that overrides send()', () => {
    class Sneaky extends ProducerPlugin {
      constructor() {
        super({ name: 'sneaky', settings: setting.object({}) }, { topic: 't' });
      }
      protected async _open(): Promise<void> {}
      protected async _close(): Promise<void> {}
      protected async _send(): Promise<EventOffset[]> {
        return [];
      }
      override send(): never {
        throw new Error('nope');
      }
    }
    expect(() => new Sneaky()).toThrow(PluginLoadError);
  });
});

describe('ProducerPlugin.send', () => {
  it('returns one event with its offset for one event, and events in order for a batch', async () => {
    const plugin = await opened();
    const [one, ...batch] = events(4);
    const sent = await plugin.send(one!);
    expect(sent.id).toBe(one!.id);
    expect(sent.offset?.toString()).toBe('orders:0@0');
    const sentBatch = await plugin.send(batch);
    expect(sentBatch.map((e) => [e.id, e.offset?.toString()])).toEqual(batch.map((e, i) => [e.id, `orders:0@${i + 1}`]));
  });

  it('hands a synchronously encoded batch to _send before send() returns (the fast path)', async () => {
    const plugin = await opened();
    const sending = plugin.send(events(2));
    expect(plugin.calls.length).toBe(1);
    await sending;
  });

  it('calls _send in the order send() was called, even when an earlier call encodes asynchronously', async () => {
    const plugin = await opened({}, { codecs: { categories: { 'slow.*': delayedCodec('slow', 30) } } });
    const slow = events(2, 'slow.one');
    const fast = events(2, 'fast.one');
    const faster = events(1, 'fast.two');
    await Promise.all([plugin.send(slow), plugin.send(fast), plugin.send(faster)]);
    expect(plugin.calls.map((batch) => batch.map((r) => r.event.id))).toEqual([slow.map((e) => e.id), fast.map((e) => e.id), faster.map((e) => e.id)]);
    expect(plugin.calls[0]![0]!.record.headers['tributary-codec']?.toString()).toBe('slow');
    expect(plugin.calls[1]![0]!.record.headers['tributary-codec']?.toString()).toBe('json');
  });

  it('writes to the topic given in the options, and fails the whole batch for an invalid one', async () => {
    const plugin = await opened();
    expect((await plugin.send(events(1)[0]!, { topic: 'audit.v1' })).offset?.topic).toBe('audit.v1');
    const error = await sendFailure(plugin.send(events(2), { topic: 'bad topic' }));
    expect(error.outcomes.map((o) => o.status)).toEqual(['failed', 'failed']);
    expect((error.cause as TributaryError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(plugin.calls.length).toBe(1);
  });

  it('fails an aborted send without calling _send', async () => {
    const plugin = await opened();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const error = await sendFailure(plugin.send(events(2), { signal: controller.signal }));
    expect((error.cause as TributaryError).code).toBe(ErrorCodes.ABORTED);
    expect(error.outcomes.every((o) => o.status === 'failed')).toBe(true);
    expect(plugin.calls).toEqual([]);
  });

  it('marks every event unknown when _send throws, keeps the cause, and is retriable when the cause is', async () => {
    const plugin = await opened();
    const cause = new TributaryError(ErrorCodes.CONNECTION, 'broker gone', { retriable: true });
    replaceSend(plugin, async () => Promise.reject(cause));
    const batch = events(2);
    const error = await sendFailure(plugin.send(batch));
    expect(error.cause).toBe(cause);
    expect(error.retriable).toBe(true);
    expect(error.eventsWith('unknown').map((e) => e.id)).toEqual(batch.map((e) => e.id));
    expect(error.message).toMatch(/0 ok, 0 failed, 2 unknown/);
    expect(error.context).toMatchObject({ plugin: 'recording', topic: 'orders' });
  });

  it('also catches a _send that throws synchronously', async () => {
    const plugin = await opened();
    const cause = new Error('sync');
    replaceSend(plugin, () => {
      throw cause;
    });
    const error = await sendFailure(plugin.send(events(1)));
    expect(error.cause).toBe(cause);
    expect(error.retriable).toBe(false);
  });

  it('maps a PartialSendError to per-event outcomes, giving ok events their offsets', async () => {
    const plugin = await opened();
    const refused = new Error('refused');
    replaceSend(plugin, async () => {
      throw new PartialSendError('partly', [{ status: 'ok', offset: EventOffset.of('orders', 0, 7) }, { status: 'failed', error: refused }, { status: 'unknown' }], { cause: refused });
    });
    const error = await sendFailure(plugin.send(events(3)));
    expect(error.outcomes.map((o) => o.status)).toEqual(['ok', 'failed', 'unknown']);
    expect(error.outcomes[0]!.event.offset?.toString()).toBe('orders:0@7');
    expect((error.outcomes[1] as { error: unknown }).error).toBe(refused);
    expect(error.cause).toBe(refused);
  });

  it.each([
    ['too few offsets', async () => [EventOffset.of('orders', 0, 1)]],
    ['an offset of another topic', async () => [EventOffset.of('other', 0, 1), EventOffset.of('orders', 0, 2)]],
    ['something that is not an offset', async () => ['orders:0@1', 'orders:0@2']],
  ])('treats a _send returning %s as a plugin bug: events unknown', async (_label, result) => {
    const plugin = await opened();
    replaceSend(plugin, result as unknown as SendFn);
    const error = await sendFailure(plugin.send(events(2)));
    expect(error.outcomes.map((o) => o.status)).toEqual(['unknown', 'unknown']);
    expect((error.cause as Error).message).toMatch(/Plugin "recording" returned/);
  });

  it('fails the whole batch before _send when one event cannot be encoded', async () => {
    const plugin = await opened();
    const [good] = events(1);
    const bad = Event.create({ category: 'test.event', payload: { n: 1n } });
    const error = await sendFailure(plugin.send([good!, bad]));
    expect(error.outcomes.map((o) => o.status)).toEqual(['failed', 'failed']);
    const badError = (error.outcomes[1] as { error: TributaryError }).error;
    expect(badError.code).toBe(ErrorCodes.ENCODE_FAILED);
    expect(badError.cause).toBeInstanceOf(TypeError);
    expect((error.outcomes[0] as { error: Error }).error.message).toMatch(/event #1/);
    expect(plugin.calls).toEqual([]);
  });

  it('fails an event larger than maxEventBytes with EVENT_TOO_LARGE, naming size and limit', async () => {
    const plugin = await opened({ maxEventBytes: 300 });
    const big = Event.create({ category: 'test.event', payload: 'x'.repeat(400) });
    const error = await sendFailure(plugin.send(big));
    const tooLarge = error.cause as TributaryError;
    expect(tooLarge.code).toBe(ErrorCodes.EVENT_TOO_LARGE);
    expect(tooLarge.context.limit).toBe(300);
    expect(tooLarge.context.size).toBeGreaterThan(400);
    expect(tooLarge.message).toContain(`${tooLarge.context.size as number} bytes`);
    expect(tooLarge.message).toContain('300 bytes');
    expect(plugin.calls).toEqual([]);
  });
});

describe('ProducerPlugin lifecycle', () => {
  it('refuses send() before open() and after close() with PLUGIN_STATE naming the plugin', async () => {
    const plugin = new RecordingPlugin({ topic: 't' });
    await expect(plugin.send(events(1))).rejects.toMatchObject({ code: ErrorCodes.PLUGIN_STATE, context: { plugin: 'recording', state: 'new' } });
    await plugin.open();
    await plugin.close();
    await expect(plugin.send(events(1))).rejects.toMatchObject({ code: ErrorCodes.PLUGIN_STATE, context: { state: 'closed' } });
    await expect(plugin.open()).rejects.toMatchObject({ code: ErrorCodes.PLUGIN_STATE });
  });

  it('opens once however often open() is called', async () => {
    const plugin = new RecordingPlugin({ topic: 't' });
    await Promise.all([plugin.open(), plugin.open(), plugin.open()]);
    await plugin.open();
    expect(plugin.lifecycle).toEqual(['open']);
  });

  it('wraps an _open failure as a retriable CONNECTION error and can be opened again', async () => {
    const plugin = new RecordingPlugin({ topic: 't' });
    const cause = new Error('no route to host');
    plugin.openImpl = async () => Promise.reject(cause);
    await expect(plugin.open()).rejects.toMatchObject({ code: ErrorCodes.CONNECTION, retriable: true, cause });
    expect(plugin.state).toBe('new');
    plugin.openImpl = undefined;
    await plugin.open();
    expect(plugin.state).toBe('open');
  });

  it('closes a never-opened plugin without calling _close', async () => {
    const plugin = new RecordingPlugin({ topic: 't' });
    await plugin.close();
    expect(plugin.state).toBe('closed');
    expect(plugin.lifecycle).toEqual([]);
  });

  it('waits for an open in progress, then closes', async () => {
    const plugin = new RecordingPlugin({ topic: 't' });
    plugin.openImpl = () => new Promise((resolve) => setTimeout(resolve, 20));
    const opening = plugin.open();
    await plugin.close();
    await opening;
    expect(plugin.lifecycle).toEqual(['open', 'close']);
    expect(plugin.state).toBe('closed');
  });

  it('flushes pending sends before _close, and each close() call gets the same promise', async () => {
    const plugin = await opened({ ackDelayMs: 20 });
    const sends = [plugin.send(events(2)), plugin.send(events(3))];
    const closing = plugin.close();
    expect(plugin.close()).toBe(closing);
    await closing;
    expect(plugin.lifecycle).toEqual(['open', 'ack 2', 'ack 3', 'close']);
    expect((await Promise.all(sends)).flat().every((e) => e.offset !== undefined)).toBe(true);
  });

  it('is closed by `await using`', async () => {
    let outer: RecordingPlugin;
    {
      await using plugin = await opened();
      outer = plugin;
    }
    expect(outer.state).toBe('closed');
    expect(outer.lifecycle).toEqual(['open', 'close']);
  });
});
