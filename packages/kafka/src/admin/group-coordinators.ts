import { leafErrors } from '../errors.js';
import type { InternalBroker, InternalCluster } from '../internal/kafkajs-internals.js';

/*
 * The group calls of an admin (a group's commits, its lag, a reset of its offsets) go to the group's coordinator.
 * Finding it takes a cluster connection and a FindCoordinator request; a dashboard asking a group's lag every
 * second should not pay for a new connection each time. So an admin keeps one cluster of its own for group calls,
 * and each group's coordinator once found, until the admin closes. A coordinator is looked up again when it says
 * it no longer is one or is still loading the group, and the cluster is made anew once when a connection drops.
 */

/** Broker answers meaning the group's coordinator moved or is still loading the group: ask again. */
const COORDINATOR_MOVING = new Set(['NOT_COORDINATOR', 'NOT_COORDINATOR_FOR_GROUP', 'GROUP_LOAD_IN_PROGRESS', 'COORDINATOR_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_NOT_AVAILABLE']);
/** kafkajs errors of a connection that is gone, or a broker that is not where the metadata said. */
const CONNECTION_LOST = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSBrokerNotFound']);
/** The first group of a new cluster waits for __consumer_offsets to be made and loaded: seconds on a busy host. */
const MOVING_DEADLINE_MS = 30_000;

function typeOf(error: unknown): string {
  return (error as { type?: string } | undefined)?.type ?? '';
}

/** Whether the connection the call went over is gone (closed by the broker, reset, refused). */
export function connectionLost(error: unknown): boolean {
  return leafErrors(error).some((leaf) => CONNECTION_LOST.has((leaf as { name?: string }).name ?? '') || /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT)$/.test(String(leaf.code ?? '')));
}

/** The coordinators of the groups an admin calls, found over one cluster of its own that lives as long as the admin. */
export class GroupCoordinators {
  readonly #createCluster: () => InternalCluster;
  #cluster: Promise<InternalCluster> | undefined;
  readonly #coordinators = new Map<string, Promise<InternalBroker>>();
  /** Moves at each close: a call under way then makes no new cluster that nobody would close. */
  #closes = 0;

  /** `createCluster` makes a new internal cluster of the admin's client (connections of its own). */
  constructor(createCluster: () => InternalCluster) {
    this.#createCluster = createCluster;
  }

  /**
   * Run `call` on the group's coordinator: the one found before, else one looked up now. While the coordinator
   * moves or loads the group, it is looked up again with back-off (up to 30 s); when the connection dropped, the
   * cluster is made anew and the call tried once more. Any other failure is the call's, thrown as it is.
   */
  async on<T>(groupId: string, call: (coordinator: InternalBroker) => Promise<T>): Promise<T> {
    const deadline = Date.now() + MOVING_DEADLINE_MS;
    const closes = this.#closes;
    let reconnected = false;
    for (let attempt = 1; ; attempt++) {
      const cluster = this.#connected();
      const coordinator = this.#coordinator(await cluster, groupId);
      try {
        return await call(await coordinator);
      } catch (error) {
        const lost = connectionLost(error);
        if (lost || COORDINATOR_MOVING.has(typeOf(error))) this.#forget(groupId, coordinator);
        if (lost && !reconnected && closes === this.#closes) {
          reconnected = true;
          this.#dropCluster(cluster);
          continue;
        }
        if (!COORDINATOR_MOVING.has(typeOf(error)) || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, Math.min(1000, 100 * attempt)));
      }
    }
  }

  /** Close the cluster's connections; a later call makes a new one. */
  async close(): Promise<void> {
    this.#closes++;
    const cluster = this.#cluster;
    this.#cluster = undefined;
    this.#coordinators.clear();
    const c = await cluster?.catch(() => undefined);
    await c?.disconnect().catch(() => undefined);
  }

  #connected(): Promise<InternalCluster> {
    if (this.#cluster) return this.#cluster;
    const cluster = this.#createCluster();
    const connecting = cluster.connect().then(
      () => cluster,
      async (error: unknown) => {
        if (this.#cluster === connecting) this.#cluster = undefined;
        await cluster.disconnect().catch(() => undefined);
        throw error;
      },
    );
    this.#cluster = connecting;
    return connecting;
  }

  #coordinator(cluster: InternalCluster, groupId: string): Promise<InternalBroker> {
    let found = this.#coordinators.get(groupId);
    if (!found) {
      found = cluster.findGroupCoordinator({ groupId });
      this.#coordinators.set(groupId, found);
      // A failed lookup is not kept: the next call looks again.
      found.catch(() => this.#forget(groupId, found!));
    }
    return found;
  }

  /** Forget the group's coordinator, unless another call already found a newer one. */
  #forget(groupId: string, coordinator: Promise<InternalBroker>): void {
    if (this.#coordinators.get(groupId) === coordinator) this.#coordinators.delete(groupId);
  }

  /** Close a cluster whose connection dropped, unless another call already replaced it; the next call makes a new one. */
  #dropCluster(cluster: Promise<InternalCluster>): void {
    if (this.#cluster !== cluster) return;
    this.#cluster = undefined;
    this.#coordinators.clear();
    void cluster.then((c) => c.disconnect()).catch(() => undefined);
  }
}
