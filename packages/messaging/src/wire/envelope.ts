/**
 * The inbox's wire form: requests, responses and error responses are Kafka records on the inbox topic, told
 * apart and routed by headers (so a session skips other sessions' records without touching their values).
 * Pure: records in, messages out.
 */

/** Header names of inbox records; all under Tributary's reserved `tributary-` prefix. */
export const InboxHeaders = {
  kind: 'tributary-kind',
  id: 'tributary-request-id',
  route: 'tributary-route',
  path: 'tributary-path',
  from: 'tributary-from',
  to: 'tributary-to',
  replyTo: 'tributary-reply-to',
  deadline: 'tributary-deadline',
  type: 'tributary-type',
  properties: 'tributary-properties',
  errorCode: 'tributary-error-code',
  remoteCode: 'tributary-remote-code',
} as const;

/** How a request was addressed. */
export type Route = 'path' | 'session' | 'filter';

interface Common {
  /** The request's id; a response carries the id of the request it answers. */
  readonly id: string;
  /** The sending session. */
  readonly from: string;
  /** The session it is for. */
  readonly to: string;
}

export interface RequestMessage extends Common {
  readonly kind: 'request';
  readonly route: Route;
  readonly path: string;
  /** The sender's inbox partition, where the response goes. */
  readonly replyTo: number;
  /** Epoch milliseconds after which the sender no longer waits. */
  readonly deadline: number;
  /** The data type the value travels as. */
  readonly type: string;
  /** The sender's properties the responder's handler asked for (path route). */
  readonly properties: Readonly<Record<string, string>>;
  readonly value: Buffer;
}

export interface ResponseMessage extends Common {
  readonly kind: 'response';
  readonly type: string;
  readonly value: Buffer;
}

/** Why a request failed in the responder, with the code the requester's error carries. */
export interface ErrorMessage extends Common {
  readonly kind: 'error';
  /** A Tributary code: NO_HANDLER, TYPE_MISMATCH, REQUEST_FAILED. */
  readonly code: string;
  /** For REQUEST_FAILED: the code of what the handler threw. */
  readonly remoteCode: string;
  /** The error's message; for TYPE_MISMATCH, JSON of `{ message, expected, actual, direction }`. */
  readonly message: string;
}

export type InboxMessage = RequestMessage | ResponseMessage | ErrorMessage;

/** A record as the writer takes and the reader gives it (headers by name). */
export interface InboxRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer>>;
}

const text = (s: string) => Buffer.from(s, 'utf8');

/** Encode a message as an inbox record, keyed by the session it is for. */
export function encodeInboxMessage(m: InboxMessage): InboxRecord {
  const headers: Record<string, Buffer> = { [InboxHeaders.kind]: text(m.kind), [InboxHeaders.id]: text(m.id), [InboxHeaders.from]: text(m.from), [InboxHeaders.to]: text(m.to) };
  switch (m.kind) {
    case 'request':
      headers[InboxHeaders.route] = text(m.route);
      headers[InboxHeaders.path] = text(m.path);
      headers[InboxHeaders.replyTo] = text(String(m.replyTo));
      headers[InboxHeaders.deadline] = text(String(m.deadline));
      headers[InboxHeaders.type] = text(m.type);
      if (Object.keys(m.properties).length > 0) headers[InboxHeaders.properties] = text(JSON.stringify(m.properties));
      return { key: text(m.to), value: m.value, headers };
    case 'response':
      headers[InboxHeaders.type] = text(m.type);
      return { key: text(m.to), value: m.value, headers };
    case 'error':
      headers[InboxHeaders.errorCode] = text(m.code);
      headers[InboxHeaders.remoteCode] = text(m.remoteCode);
      return { key: text(m.to), value: text(m.message), headers };
  }
}

/** The session an inbox record is for, read from its header alone; undefined when it has none. */
export function recipientOf(record: InboxRecord): string | undefined {
  return record.headers[InboxHeaders.to]?.toString('utf8');
}

/**
 * Decode an inbox record, or say what is wrong with it: records that are not Tributary's (another client
 * wrote to the topic) are skipped and counted, never fatal.
 */
export function decodeInboxMessage(record: InboxRecord): InboxMessage | { invalid: string } {
  const h = (name: string) => record.headers[name]?.toString('utf8');
  const kind = h(InboxHeaders.kind);
  const id = h(InboxHeaders.id);
  const from = h(InboxHeaders.from);
  const to = h(InboxHeaders.to);
  if (id === undefined || from === undefined || to === undefined) return { invalid: 'missing request id, sender or recipient header' };
  const value = record.value ?? Buffer.alloc(0);
  switch (kind) {
    case 'request': {
      const route = h(InboxHeaders.route);
      const path = h(InboxHeaders.path);
      const replyTo = Number(h(InboxHeaders.replyTo));
      const deadline = Number(h(InboxHeaders.deadline));
      const type = h(InboxHeaders.type);
      if ((route !== 'path' && route !== 'session' && route !== 'filter') || path === undefined || type === undefined) return { invalid: 'a request without route, path or type' };
      if (!Number.isInteger(replyTo) || replyTo < 0 || !Number.isFinite(deadline)) return { invalid: 'a request without a valid reply partition or deadline' };
      const properties = parseProperties(h(InboxHeaders.properties));
      if (properties === undefined) return { invalid: 'a request whose sender properties are not a JSON object of strings' };
      return { kind, id, from, to, route, path, replyTo, deadline, type, properties, value };
    }
    case 'response': {
      const type = h(InboxHeaders.type);
      if (type === undefined) return { invalid: 'a response without type' };
      return { kind, id, from, to, type, value };
    }
    case 'error':
      return { kind, id, from, to, code: h(InboxHeaders.errorCode) ?? 'REQUEST_FAILED', remoteCode: h(InboxHeaders.remoteCode) ?? '', message: value.toString('utf8') };
    default:
      return { invalid: `unknown kind ${JSON.stringify(kind)}` };
  }
}

function parseProperties(json: string | undefined): Record<string, string> | undefined {
  if (json === undefined) return {};
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) return undefined;
    return value as Record<string, string>;
  } catch {
    return undefined;
  }
}
