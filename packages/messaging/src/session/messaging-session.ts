import { InvalidArgumentError } from '@tributary/core';
import { SessionClosedError } from '../errors.js';
import type { SessionFilter } from '../filter/session-filter.js';
import type { HandlerEntry, HandlerTypes, RequestHandler } from '../requests/handler.js';
import type { Settlement } from '../requests/pending-requests.js';
import type { RequestOptions, Requester, Sender } from '../requests/requester.js';
import { validatePath } from '../routing/path.js';
import { invalidDataType, type DataType } from '../types/data-type.js';
import { ALL_FIXED_PROPERTIES, ALL_USER_PROPERTIES, type SessionProperties } from './properties.js';
import type { SessionInfo, SessionListener } from './session-info.js';
import type { SessionRecord } from './session-record.js';

/** Options of {@link MessagingSession.registerRequestHandler}. */
export interface RegisterOptions extends HandlerTypes {
  /**
   * The sender's properties each request should carry to the handler: names, and {@link ALL_FIXED_PROPERTIES}
   * or {@link ALL_USER_PROPERTIES}.
   */
  sessionProperties?: readonly string[];
}

/** Options of {@link MessagingSession.addRequestHandler}. */
export interface AddHandlerOptions extends HandlerTypes {
  /** True: handle requests sent to this session by id or through a filter. False (default): unaddressed ones. */
  addressed?: boolean;
}

/** A handler in place; `close()` takes it away (and withdraws the registration it came with). */
export interface HandlerRegistration {
  close(): Promise<void>;
}

/** Options of a request to a filter: each session's outcome goes to these, else to the filter's response handlers. */
export interface FilterRequestOptions extends RequestOptions {
  onResponse?: (sessionId: string, response: unknown) => void;
  onError?: (sessionId: string, error: Error) => void;
}

/** Every outcome of a request to a filter, gathered. */
export interface FilterResponses {
  /** How many sessions matched (requests sent). */
  readonly expected: number;
  readonly responses: ReadonlyArray<{ readonly sessionId: string; readonly response: unknown }>;
  readonly errors: ReadonlyArray<{ readonly sessionId: string; readonly error: Error }>;
  /** True when some session did not answer before the deadline (its error is a RequestTimeoutError). */
  readonly partial: boolean;
}

/** What a session needs from the hub that made it. */
export interface SessionPorts {
  readonly requester: Requester;
  readonly sessions: () => SessionInfo[];
  readonly session: (id: string) => SessionInfo | undefined;
  readonly onChange: (listener: SessionListener) => () => void;
  readonly filter: (text: string) => SessionFilter;
  /** Write this session's announcement and wait until the view shows it. */
  readonly announce: (session: MessagingSession) => Promise<void>;
  readonly close: (session: MessagingSession) => Promise<void>;
}

type FilterHandler = { onResponse: (sessionId: string, response: unknown) => void; onError?: (sessionId: string, error: Error) => void };

/**
 * A participant in request/response messaging (seed 002): it has an id and properties every other session
 * sees, handles requests to the paths it registers and requests addressed to it, and sends requests to a path,
 * to a session, or to every session a filter matches. Every request it sends ends in exactly one outcome.
 * Made by {@link Messaging.openSession}; `close()` (or `await using`) says goodbye.
 */
export class MessagingSession implements AsyncDisposable {
  readonly id: string;
  /** Fixed (`$SessionId`, `$Host`, `$ProcessId`, `$ClientVersion`, `$StartTime`, `$ConnectionState`) and user properties. */
  readonly properties: SessionProperties;
  /** The inbox partition this session reads. */
  readonly inbox: number;
  readonly #ports: SessionPorts;
  readonly #unaddressed = new Map<string, HandlerEntry>();
  readonly #addressed = new Map<string, HandlerEntry>();
  readonly #registered = new Map<string, readonly string[]>();
  readonly #filterHandlers = new Map<string, Set<FilterHandler>>();
  #closed = false;

  /** @internal made by the hub. */
  constructor(id: string, properties: SessionProperties, inbox: number, ports: SessionPorts) {
    this.id = id;
    this.properties = properties;
    this.inbox = inbox;
    this.#ports = ports;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** @internal the handlers, for the hub's responder. */
  get handlers(): { readonly id: string; readonly unaddressed: ReadonlyMap<string, HandlerEntry>; readonly addressed: ReadonlyMap<string, HandlerEntry> } {
    return { id: this.id, unaddressed: this.#unaddressed, addressed: this.#addressed };
  }

  /** @internal this session's announcement. */
  record(timeoutMs: number): SessionRecord {
    return { id: this.id, properties: this.properties, inbox: this.inbox, registered: Object.fromEntries(this.#registered), addressed: [...this.#addressed.keys()], timeoutMs };
  }

  /**
   * Become a handler of unaddressed requests to `path` (and the paths below it that no one registers more
   * specifically): requests to the path are balanced between the sessions registered for it, each going to
   * exactly one. Resolves once the registration is announced and visible on the sessions topic.
   * @throws InvalidArgumentError for a bad path, type or property list, or a path this session already handles.
   */
  async registerRequestHandler<Req = unknown, Res = unknown>(path: string, handler: RequestHandler<Req, Res>, options: RegisterOptions = {}): Promise<HandlerRegistration> {
    this.#open('register a request handler');
    const wants = checkPropertyKeys(options.sessionProperties);
    const entry = this.#entry(path, handler as RequestHandler, options, this.#unaddressed);
    this.#unaddressed.set(path, entry);
    this.#registered.set(path, wants);
    await this.#ports.announce(this);
    return {
      close: async () => {
        if (this.#unaddressed.get(path) !== entry) return;
        this.#unaddressed.delete(path);
        this.#registered.delete(path);
        if (!this.#closed) await this.#ports.announce(this);
      },
    };
  }

  /**
   * Add a handler without registering: for requests addressed to this session (`addressed: true`, by id or
   * filter), or for unaddressed requests routed here by a registration made elsewhere. Addressed paths are
   * announced too, so other sessions can see what a session answers.
   */
  async addRequestHandler<Req = unknown, Res = unknown>(path: string, handler: RequestHandler<Req, Res>, options: AddHandlerOptions = {}): Promise<HandlerRegistration> {
    this.#open('add a request handler');
    const table = options.addressed ? this.#addressed : this.#unaddressed;
    const entry = this.#entry(path, handler as RequestHandler, options, table);
    table.set(path, entry);
    if (options.addressed) await this.#ports.announce(this);
    return {
      close: async () => {
        if (table.get(path) !== entry) return;
        table.delete(path);
        if (options.addressed && !this.#closed) await this.#ports.announce(this);
      },
    };
  }

  /**
   * Send a request to the path: one of the sessions registered for it (or for its nearest registered ancestor)
   * answers, in turn. If that session goes before answering, the request goes to another.
   * @throws NoHandlerError, RequestFailedError, TypeMismatchError, RequestTimeoutError (after `timeout`), ABORTED.
   */
  async sendRequestToPath<Res = unknown>(path: string, request: unknown, options: RequestOptions = {}): Promise<Res> {
    this.#open('send a request');
    validatePath(path);
    return (await this.#ports.requester.toPath(this.#sender(), path, request, checkRequestOptions(options))) as Res;
  }

  /**
   * Send a request to one session by id; it answers with its addressed handler for the path.
   * @throws SessionNotFoundError (no such session, or it went before answering), NoHandlerError, RequestFailedError,
   *   TypeMismatchError, RequestTimeoutError, ABORTED.
   */
  async sendRequestToSession<Res = unknown>(path: string, sessionId: string, request: unknown, options: RequestOptions = {}): Promise<Res> {
    this.#open('send a request');
    validatePath(path);
    return (await this.#ports.requester.toSession(this.#sender(), sessionId, path, request, checkRequestOptions(options))) as Res;
  }

  /**
   * Send a request to every live session the filter matches (this one included, when it matches); resolves
   * with their number, which is how many outcomes follow. Each outcome goes to `options.onResponse` /
   * `options.onError`, else to the handlers added for this filter text with {@link addFilterResponseHandler}.
   * @throws SessionFilterSyntaxError (line and column), InvalidArgumentError when no one would hear the outcomes.
   */
  async sendRequestToFilter(filter: string, path: string, request: unknown, options: FilterRequestOptions = {}): Promise<number> {
    this.#open('send a request');
    validatePath(path);
    const parsed = this.#ports.filter(filter);
    const handlers = options.onResponse ? [{ onResponse: options.onResponse, onError: options.onError }] : [...(this.#filterHandlers.get(filter) ?? [])];
    if (handlers.length === 0) {
      throw new InvalidArgumentError(`No response handler for filter ${JSON.stringify(filter)}: add one with addFilterResponseHandler(), pass onResponse, or use gatherRequestToFilter()`, { option: 'filter', value: filter, expected: 'a filter with a response handler' });
    }
    const matched = this.#ports.sessions().filter((s) => parsed.matches(s.properties)).map((s) => s.id);
    return this.#ports.requester.toSessions(this.#sender(), matched, path, request, checkRequestOptions(options), (sessionId, outcome) => deliver(handlers, sessionId, outcome));
  }

  /** Gather every outcome of a request to a filter: resolves when all arrived, or at the deadline with `partial`. */
  async gatherRequestToFilter(filter: string, path: string, request: unknown, options: RequestOptions = {}): Promise<FilterResponses> {
    const responses: Array<{ sessionId: string; response: unknown }> = [];
    const errors: Array<{ sessionId: string; error: Error }> = [];
    let expected = Infinity;
    let done: () => void = () => {};
    const all = new Promise<void>((resolve) => (done = resolve));
    const check = () => responses.length + errors.length >= expected && done();
    expected = await this.sendRequestToFilter(filter, path, request, {
      ...options,
      onResponse: (sessionId, response) => (responses.push({ sessionId, response }), check()),
      onError: (sessionId, error) => (errors.push({ sessionId, error }), check()),
    });
    check();
    await all;
    return { expected, responses, errors, partial: errors.some((e) => (e.error as { code?: string }).code === 'TIMEOUT') };
  }

  /** Receive the outcomes of requests sent to `filter` (matched by the filter's exact text); returns the undo. */
  addFilterResponseHandler(filter: string, onResponse: (sessionId: string, response: unknown) => void, onError?: (sessionId: string, error: Error) => void): () => void {
    this.#ports.filter(filter);
    const handler = { onResponse, onError };
    let set = this.#filterHandlers.get(filter);
    if (!set) this.#filterHandlers.set(filter, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** The live sessions, or those a filter matches. @throws SessionFilterSyntaxError */
  sessions(filter?: string): SessionInfo[] {
    const all = this.#ports.sessions();
    if (filter === undefined) return all;
    const parsed = this.#ports.filter(filter);
    return all.filter((s) => parsed.matches(s.properties));
  }

  /** A live session by id, or undefined. */
  session(id: string): SessionInfo | undefined {
    return this.#ports.session(id);
  }

  /** Be told when a session appears, changes or goes; returns the undo. */
  onSessionChange(listener: SessionListener): () => void {
    return this.#ports.onChange(listener);
  }

  /**
   * Say goodbye: requests this session waits on end with SessionClosedError, handlers at work finish and send
   * their responses (waiting `closeTimeoutMs` at most, and never past their requests' deadlines), then a
   * tombstone tells every session it is gone.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#ports.close(this);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #sender(): Sender {
    return this;
  }

  #open(operation: string): void {
    if (this.#closed) throw new SessionClosedError(this.id, operation);
  }

  #entry(path: string, handler: RequestHandler, types: HandlerTypes, table: Map<string, HandlerEntry>): HandlerEntry {
    validatePath(path);
    if (typeof handler !== 'function') throw new InvalidArgumentError(`The handler for path ${JSON.stringify(path)} must be a function`, { option: 'handler', value: typeof handler, expected: 'a function' });
    if (table.has(path)) throw new InvalidArgumentError(`Session ${this.id} already handles path ${JSON.stringify(path)}: close that handler's registration first`, { option: 'path', value: path, expected: 'a path without a handler' });
    return { handler, requestType: checkType(types.requestType, 'requestType'), responseType: checkType(types.responseType, 'responseType') };
  }
}

function deliver(handlers: readonly FilterHandler[], sessionId: string, outcome: Settlement): void {
  for (const h of handlers) {
    if (outcome.ok) h.onResponse(sessionId, outcome.value);
    else h.onError?.(sessionId, outcome.error);
  }
}

function checkType(type: DataType | undefined, option: string): DataType {
  if (type === undefined) return 'json';
  const expected = invalidDataType(type);
  if (expected) throw new InvalidArgumentError(`${option} is ${JSON.stringify(type)}; expected ${expected}`, { option, value: type, expected });
  return type;
}

function checkPropertyKeys(keys: readonly string[] | undefined): readonly string[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string' && k.length > 0)) {
    throw new InvalidArgumentError(`sessionProperties must be an array of property names (or ALL_FIXED_PROPERTIES, ALL_USER_PROPERTIES)`, { option: 'sessionProperties', value: keys, expected: 'an array of property names' });
  }
  return [...new Set(keys)].filter((k) => k === ALL_FIXED_PROPERTIES || k === ALL_USER_PROPERTIES || !k.startsWith('*'));
}

function checkRequestOptions<T extends RequestOptions>(options: T): T {
  if (options.timeout !== undefined && (!Number.isInteger(options.timeout) || options.timeout < 1)) {
    throw new InvalidArgumentError(`timeout is ${String(options.timeout)}; expected a whole number of milliseconds, at least 1`, { option: 'timeout', value: options.timeout, expected: 'an integer >= 1' });
  }
  if (options.requestType !== undefined) checkType(options.requestType, 'requestType');
  if (options.responseType !== undefined) checkType(options.responseType, 'responseType');
  return options;
}
