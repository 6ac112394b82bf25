import { describe, expect, it } from 'vitest';
import { serverProperties, type NodeLayout } from '../../src/runtime/config.js';

const node = (id: number): NodeLayout => ({ nodeId: id, port: 9000 + id, controllerPort: 9100 + id, dataDir: `/d/${id}` });
const parse = (text: string) => Object.fromEntries(text.trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));

describe('serverProperties', () => {
  it('makes a single node its own quorum, with replication 1', () => {
    const props = parse(serverProperties(node(1), [node(1)]));
    expect(props['controller.quorum.voters']).toBe('1@127.0.0.1:9101');
    expect(props['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:9001');
    expect(props['offsets.topic.replication.factor']).toBe('1');
    expect(props['min.insync.replicas']).toBe('1');
    expect(props['group.initial.rebalance.delay.ms']).toBe('0');
  });

  it('makes three nodes durable: replication 3, min ISR 2, no unclean election', () => {
    const all = [node(1), node(2), node(3)];
    const props = parse(serverProperties(all[1]!, all));
    expect(props['node.id']).toBe('2');
    expect(props['controller.quorum.voters']).toBe('1@127.0.0.1:9101,2@127.0.0.1:9102,3@127.0.0.1:9103');
    expect(props.listeners).toBe('PLAINTEXT://127.0.0.1:9002,CONTROLLER://127.0.0.1:9102');
    expect(props['default.replication.factor']).toBe('3');
    expect(props['min.insync.replicas']).toBe('2');
    expect(props['transaction.state.log.min.isr']).toBe('2');
    expect(props['unclean.leader.election.enable']).toBe('false');
  });

  it('lets overrides win', () => {
    expect(parse(serverProperties(node(1), [node(1)], { 'num.io.threads': '8' }))['num.io.threads']).toBe('8');
  });
});
