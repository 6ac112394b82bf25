import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { connectionLost, GroupCoordinators } from '../../src/admin/group-coordinators.js';
import type { InternalBroker, InternalCluster } from '../../src/internal/kafkajs-internals.js';

const protocol = (type: string) => Object.assign(new KafkaJSProtocolError(`broker said ${type}`), { type });

/** Clusters that count what is made, connected, looked up and closed; coordinators are numbered brokers. */
function fakeClusters(options: { connect?: () => Promise<void> } = {}) {
  const made: Array<{ lookups: string[]; disconnected: boolean }> = [];
  let nextBroker = 0;
  const create = (): InternalCluster => {
    const record = { lookups: [] as string[], disconnected: false };
    made.push(record);
    return {
      connect: options.connect ?? (async () => {}),
      disconnect: async () => void (record.disconnected = true),
      findGroupCoordinator: async ({ groupId }: { groupId: string }) => {
        record.lookups.push(groupId);
        return { id: nextBroker++ } as unknown as InternalBroker;
      },
    } as unknown as InternalCluster;
  };
  return { made, create };
}
const idOf = (b: InternalBroker) => (b as unknown as { id: number }).id;

describe('GroupCoordinators', () => {
  it('makes one cluster and looks each group coordinator up once for repeated calls', async () => {
    const { made, create } = fakeClusters();
    const coordinators = new GroupCoordinators(create);
    const seen = await Promise.all([1, 2, 3].map(() => coordinators.on('g', async (b) => idOf(b))));
    seen.push(await coordinators.on('g', async (b) => idOf(b)));
    await coordinators.on('h', async () => 0);
    expect(seen).toEqual([0, 0, 0, 0]);
    expect(made).toHaveLength(1);
    expect(made[0]!.lookups).toEqual(['g', 'h']);
    await coordinators.close();
    expect(made[0]!.disconnected).toBe(true);
  });

  it('looks the coordinator up again when it moved or is loading, on the same cluster', async () => {
    const { made, create } = fakeClusters();
    const coordinators = new GroupCoordinators(create);
    await coordinators.on('g', async () => 0);
    const answers = [protocol('NOT_COORDINATOR_FOR_GROUP'), protocol('GROUP_LOAD_IN_PROGRESS')];
    const used: number[] = [];
    const result = await coordinators.on('g', async (b) => {
      used.push(idOf(b));
      const error = answers.shift();
      if (error) throw error;
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(used).toEqual([0, 1, 2]);
    expect(made).toHaveLength(1);
    expect(made[0]!.lookups).toEqual(['g', 'g', 'g']);
  });

  it('makes the cluster anew once when the connection dropped, and closes the old one', async () => {
    const { made, create } = fakeClusters();
    const coordinators = new GroupCoordinators(create);
    await coordinators.on('g', async () => 0);
    let failures = 1;
    expect(await coordinators.on('g', async (b) => (failures-- > 0 ? Promise.reject(new KafkaJSConnectionError('Connection closed')) : idOf(b)))).toBe(1);
    expect(made).toHaveLength(2);
    await expect.poll(() => made[0]!.disconnected).toBe(true);
    // A connection that keeps failing is the caller's failure after the one new try.
    await expect(coordinators.on('g', async () => Promise.reject(new KafkaJSConnectionError('Connection refused')))).rejects.toThrow('Connection refused');
    expect(made).toHaveLength(3);
  });

  it('throws any other failure as it is, keeping the coordinator', async () => {
    const { made, create } = fakeClusters();
    const coordinators = new GroupCoordinators(create);
    await expect(coordinators.on('g', async () => Promise.reject(protocol('GROUP_AUTHORIZATION_FAILED')))).rejects.toMatchObject({ type: 'GROUP_AUTHORIZATION_FAILED' });
    await coordinators.on('g', async () => 0);
    expect(made[0]!.lookups).toEqual(['g']);
  });

  it('keeps no cluster that failed to connect, and makes a new one after close', async () => {
    let refuse = true;
    const { made, create } = fakeClusters({ connect: async () => { if (refuse) throw new KafkaJSConnectionError('refused'); } });
    const coordinators = new GroupCoordinators(create);
    await expect(coordinators.on('g', async () => 0)).rejects.toThrow('refused');
    expect(made[0]!.disconnected).toBe(true);
    refuse = false;
    await coordinators.on('g', async () => 0);
    await coordinators.close();
    await coordinators.on('g', async () => 0);
    expect(made).toHaveLength(3);
    expect(made.map((m) => m.disconnected)).toEqual([true, true, false]);
  });
});

describe('connectionLost', () => {
  it('knows kafkajs connection errors and socket codes, nested or not', () => {
    expect(connectionLost(new KafkaJSConnectionError('Connection closed'))).toBe(true);
    expect(connectionLost(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(connectionLost(new Error('outer', { cause: new KafkaJSConnectionError('reset') }))).toBe(true);
    expect(connectionLost(protocol('NOT_COORDINATOR_FOR_GROUP'))).toBe(false);
    expect(connectionLost(new TypeError('bug'))).toBe(false);
  });
});
