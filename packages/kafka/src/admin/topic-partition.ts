/** One partition of one topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A map key for a partition; `\u0000` cannot occur in a topic name. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The partition a key names. */
export function fromPartitionKey(key: string): TopicPartition {
  const cut = key.lastIndexOf('\u0000');
  return { topic: key.slice(0, cut), partition: Number(key.slice(cut + 1)) };
}

/** Partitions (or anything of a topic) grouped by topic. */
export function byTopic<T extends { readonly topic: string }>(partitions: Iterable<T>): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const p of partitions) {
    const list = out.get(p.topic);
    if (list) list.push(p);
    else out.set(p.topic, [p]);
  }
  return out;
}

/** Offsets by topic in the shape Kafka's commit requests take (offsets as decimal text). */
export function topicOffsets(offsets: Iterable<TopicPartition & { readonly offset: bigint }>): Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> {
  return [...byTopic(offsets)].map(([topic, list]) => ({ topic, partitions: list.map((p) => ({ partition: p.partition, offset: p.offset.toString() })) }));
}

/** Readable name of a partition for messages: `topic:partition`. */
export function partitionName(p: TopicPartition): string {
  return `${p.topic}:${p.partition}`;
}
