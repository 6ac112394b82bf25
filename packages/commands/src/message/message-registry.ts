import { InvalidArgumentError } from '@tributary/core';
import { UnknownMessageTypeError } from '../errors.js';
import { stderrLogger, type Logger } from '@tributary/kafka';
import type { CommandMessage, CommandMessageClass } from './command-message.js';


const TYPE = /^[a-z0-9][a-z0-9_-]{0,99}$/i;


/**
 * The registry of command message classes (seed 000's factory): `addMessageType(cls)` registers a class under
 * its static `type`, `getMessageType(type)` returns it, `getMessageTypes()` lists the types. Registering a
 * type twice replaces the class and logs a warning, as Scale's factory does.
 */
export class MessageRegistry {
  readonly #classes = new Map<string, CommandMessageClass>();
  readonly #logger: Logger;

  constructor(options: { logger?: Logger } = {}) {
    this.#logger = options.logger ?? stderrLogger;
  }

  /** @throws InvalidArgumentError when the class has no valid static `type` or no static `fromJSON`. */
  addMessageType(cls: CommandMessageClass): void {
    const type = (cls as { type?: unknown })?.type;
    if (typeof type !== 'string' || !TYPE.test(type)) {
      throw new InvalidArgumentError(`A command message class needs a static type of letters, digits, '_' and '-' (up to 100), got ${JSON.stringify(type)}`, { option: 'type', value: type });
    }
    if (typeof cls.fromJSON !== 'function') throw new InvalidArgumentError(`Command message class ${JSON.stringify(type)} needs a static fromJSON(body)`, { option: 'fromJSON', value: type });
    if (this.#classes.has(type) && this.#classes.get(type) !== cls) this.#logger.warn({ type }, 'Command message type registered again: the new class replaces the old');
    this.#classes.set(type, cls);
  }

  /** @throws UnknownMessageTypeError naming the type and the registered ones. */
  getMessageType(type: string): CommandMessageClass {
    const cls = this.#classes.get(type);
    if (!cls) throw new UnknownMessageTypeError(type, this.getMessageTypes());
    return cls;
  }

  getMessageTypes(): string[] {
    return [...this.#classes.keys()].sort();
  }

  /** Rebuild a message from its type and body. @throws UnknownMessageTypeError; whatever `fromJSON` throws. */
  fromJSON(type: string, body: unknown): CommandMessage {
    const message = this.getMessageType(type).fromJSON(body);
    if (message?.type !== type) throw new InvalidArgumentError(`fromJSON of ${JSON.stringify(type)} returned a message of type ${JSON.stringify(message?.type)}`, { type });
    return message;
  }
}
