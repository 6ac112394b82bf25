/**
 * The requests the reader sends on kafkajs' broker connections with Tributary's own codecs (Fetch v11,
 * Metadata v7, OffsetForLeaderEpoch v3): kafkajs keeps connecting, authenticating and correlating; the bytes
 * are encoded and decoded by src/protocol/. Each checks first that the broker announced the version it sends.
 */
import { ErrorCodes, TributaryError } from '@tributary/core';
import { brokerSupports, sendRawRequest, type InternalBroker } from '../internal/kafkajs-internals.js';
import { decodeFetchResponse, encodeFetchRequest, FETCH_API_KEY, FETCH_VERSION, type FetchRequest, type FetchResponse } from '../protocol/fetch-protocol.js';
import { decodeMetadataResponse, encodeMetadataRequest, METADATA_API_KEY, METADATA_VERSION, type MetadataResponse } from '../protocol/metadata-protocol.js';
import {
  decodeOffsetForLeaderEpochResponse,
  encodeOffsetForLeaderEpochRequest,
  OFFSET_FOR_LEADER_EPOCH_API_KEY,
  OFFSET_FOR_LEADER_EPOCH_VERSION,
  type EpochEndRequest,
  type OffsetForLeaderEpochResponse,
} from '../protocol/offset-for-leader-epoch-protocol.js';

/** Added to the broker's wait for the request's own timeout, as kafkajs does for its fetches. */
const NETWORK_DELAY_MS = 100;
const REQUEST_TIMEOUT_MS = 30_000;

function requireVersion(broker: InternalBroker, apiKey: number, version: number, apiName: string): void {
  if (brokerSupports(broker, apiKey, version)) return;
  const range = broker.versions![apiKey]!;
  throw new TributaryError(ErrorCodes.UNSUPPORTED, `The broker accepts ${apiName} versions ${range.minVersion}-${range.maxVersion}; Tributary reads with version ${version} (Kafka 2.3 or later)`, { retriable: false });
}

function send<T extends { throttleTimeMs: number }>(broker: InternalBroker, apiKey: number, apiVersion: number, apiName: string, body: Buffer, decode: (payload: Buffer) => T, timeoutMs: number): Promise<T> {
  return sendRawRequest(broker, { apiKey, apiVersion, apiName, body, decode, timeoutMs });
}

/** A Fetch v11; a top-level error code (a fetch session's) fails the whole request. */
export async function sendFetch(broker: InternalBroker, request: FetchRequest): Promise<FetchResponse> {
  requireVersion(broker, FETCH_API_KEY, FETCH_VERSION, 'Fetch');
  const response = await send(broker, FETCH_API_KEY, FETCH_VERSION, 'Fetch', encodeFetchRequest(request), decodeFetchResponse, request.maxWaitMs + NETWORK_DELAY_MS + REQUEST_TIMEOUT_MS);
  if (response.errorCode !== 0) throw new Error(`Kafka error code ${response.errorCode}`);
  return response;
}

/** A Metadata v7 for these topics: their partitions' leaders and leader epochs. */
export async function sendMetadata(broker: InternalBroker, topics: readonly string[]): Promise<MetadataResponse> {
  requireVersion(broker, METADATA_API_KEY, METADATA_VERSION, 'Metadata');
  return send(broker, METADATA_API_KEY, METADATA_VERSION, 'Metadata', encodeMetadataRequest(topics), decodeMetadataResponse, REQUEST_TIMEOUT_MS);
}

/** An OffsetForLeaderEpoch v3, as a consumer: where each asked epoch ends in the leader's log. */
export async function sendOffsetForLeaderEpoch(broker: InternalBroker, partitions: readonly EpochEndRequest[]): Promise<OffsetForLeaderEpochResponse> {
  requireVersion(broker, OFFSET_FOR_LEADER_EPOCH_API_KEY, OFFSET_FOR_LEADER_EPOCH_VERSION, 'OffsetForLeaderEpoch');
  const body = encodeOffsetForLeaderEpochRequest(partitions);
  return send(broker, OFFSET_FOR_LEADER_EPOCH_API_KEY, OFFSET_FOR_LEADER_EPOCH_VERSION, 'OffsetForLeaderEpoch', body, decodeOffsetForLeaderEpochResponse, REQUEST_TIMEOUT_MS);
}
