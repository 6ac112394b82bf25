/**
 * Kafka's Metadata request and response, version 7 (Kafka 2.1 and later, also accepted by 4.x): the first
 * version whose answer carries each partition's leader epoch (KIP-320), which kafkajs' own Metadata (up to
 * version 6) does not ask for. Only what the reader needs is kept; the rest is read past.
 *
 * Layouts from Kafka's clients/src/main/resources/common/message/MetadataRequest.json and
 * MetadataResponse.json (version 7 is not flexible: int16-prefixed strings, int32-counted arrays, no tags):
 * - request: Topics ([]Name, null for all), AllowAutoTopicCreation (bool, v4+);
 * - response: ThrottleTimeMs (v3+), Brokers [NodeId, Host, Port, Rack (nullable, v1+)], ClusterId (nullable,
 *   v2+), ControllerId (v1+), Topics [ErrorCode, Name, IsInternal (v1+), Partitions [ErrorCode,
 *   PartitionIndex, LeaderId, LeaderEpoch (v7+), ReplicaNodes, IsrNodes, OfflineReplicas (v5+)]].
 */
import { BodyReader, Writer } from './wire.js';

export const METADATA_API_KEY = 3;
export const METADATA_VERSION = 7;

/** One partition's leader as the answering broker knows it. */
export interface PartitionLeader {
  readonly partition: number;
  readonly errorCode: number;
  /** The leader's node id; -1 when there is none. */
  readonly leaderId: number;
  /** The leader epoch: grows with every leader change (and every reassignment that moves leadership). */
  readonly leaderEpoch: number;
}

export interface TopicMetadata {
  readonly topic: string;
  readonly errorCode: number;
  readonly partitions: PartitionLeader[];
}

export interface MetadataResponse {
  readonly throttleTimeMs: number;
  readonly brokers: Array<{ readonly nodeId: number; readonly host: string; readonly port: number }>;
  readonly topics: TopicMetadata[];
}

/** The request body for these topics; topics are never auto-created by it. */
export function encodeMetadataRequest(topics: readonly string[]): Buffer {
  const w = new Writer();
  w.int32(topics.length);
  for (const t of topics) w.string(t);
  w.int8(0); // allow_auto_topic_creation: false
  return w.done();
}

/** Decode a Metadata v7 response body (what follows the correlation id). */
export function decodeMetadataResponse(body: Buffer): MetadataResponse {
  const r = new BodyReader(body, 'metadata response');
  const throttleTimeMs = r.int32();
  const brokers: MetadataResponse['brokers'] = [];
  for (let b = r.int32(); b > 0; b--) {
    const nodeId = r.int32();
    const host = r.string();
    const port = r.int32();
    r.nullableString(); // rack
    brokers.push({ nodeId, host, port });
  }
  r.nullableString(); // cluster id
  r.int32(); // controller id
  const topics: TopicMetadata[] = [];
  for (let t = r.int32(); t > 0; t--) {
    const errorCode = r.int16();
    const topic = r.string();
    r.int8(); // is internal
    const partitions: PartitionLeader[] = [];
    for (let p = r.int32(); p > 0; p--) {
      const partitionError = r.int16();
      const partition = r.int32();
      const leaderId = r.int32();
      const leaderEpoch = r.int32();
      r.skipInt32Array(); // replicas
      r.skipInt32Array(); // in-sync replicas
      r.skipInt32Array(); // offline replicas
      partitions.push({ partition, errorCode: partitionError, leaderId, leaderEpoch });
    }
    topics.push({ topic, errorCode, partitions });
  }
  return { throttleTimeMs, brokers, topics };
}
