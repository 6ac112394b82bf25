import type { Logger } from '@tributary/kafka';

/** What a command is told when it runs. */
export interface CommandContext {
  /** This message's id (a UUID): what a dedupe store keys on. */
  readonly id: string;
  /** The id shared by a command and every follow-up it leads to. */
  readonly correlationId: string;
  /** The id of the command whose follow-up this is; undefined for a command sent from outside. */
  readonly causationId: string | undefined;
  /** 1 for the first run, more for retries. */
  readonly attempt: number;
  /** Aborted when the processor stops: stop work then. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/**
 * A command message (seed 000, Scale's `CommandMessage`): a `type` that names its class in the registry,
 * `execute()` with the processing logic, `toJSON()` giving its body, and a static `fromJSON(body)` in every
 * subclass that rebuilds it. Follow-ups go in `newMessages`, filled by `execute()`: they are published only
 * after it succeeds.
 *
 * Execution must be idempotent (no further side effect when run again): delivery is at least once, and a
 * message may run again after a crash. No order is promised between messages.
 */
export abstract class CommandMessage {
  /** The unique type identifier this class is registered under. */
  readonly type: string;
  /** Follow-up messages to publish once `execute()` has succeeded. */
  newMessages: CommandMessage[] = [];

  constructor(type: string) {
    this.type = type;
  }

  /** The processing logic. True: success. False (or a throw): failure; nothing is published or committed. */
  abstract execute(context: CommandContext): boolean | Promise<boolean>;

  /** The message's body, JSON-compatible; `fromJSON(body)` of its class must rebuild an equal message. */
  abstract toJSON(): unknown;
}

/** A command message class as the registry holds it: its type, a constructor, and its static `fromJSON`. */
export interface CommandMessageClass<M extends CommandMessage = CommandMessage> {
  /** The type identifier, the same as instances' `type`. */
  readonly type: string;
  fromJSON(body: unknown): M;
  readonly prototype: M;
}
