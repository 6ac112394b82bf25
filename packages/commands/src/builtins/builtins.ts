import { InvalidArgumentError } from '@tributary/core';
import { CommandMessage, type CommandContext } from '../message/command-message.js';
import type { MessageRegistry } from '../message/message-registry.js';

/** `echo`: logs its message and succeeds (seed 000's EchoCommandMessage). */
export class EchoCommandMessage extends CommandMessage {
  static readonly type = 'echo';
  readonly message: unknown;

  constructor(message: unknown = null) {
    super(EchoCommandMessage.type);
    this.message = message;
  }

  execute(context: CommandContext): boolean {
    context.logger.info({ id: context.id, message: this.message }, 'echo');
    return true;
  }

  toJSON(): unknown {
    return { message: this.message };
  }

  static fromJSON(body: unknown): EchoCommandMessage {
    return new EchoCommandMessage(bodyObject(body, 'echo').message ?? null);
  }
}

/** `chain`: succeeds with one `echo` follow-up carrying its message (seed 000's ChainCommandMessage). */
export class ChainCommandMessage extends CommandMessage {
  static readonly type = 'chain';
  readonly message: unknown;

  constructor(message: unknown = null) {
    super(ChainCommandMessage.type);
    this.message = message;
  }

  execute(): boolean {
    this.newMessages = [new EchoCommandMessage(this.message)];
    return true;
  }

  toJSON(): unknown {
    return { message: this.message };
  }

  static fromJSON(body: unknown): ChainCommandMessage {
    return new ChainCommandMessage(bodyObject(body, 'chain').message ?? null);
  }
}

/** `fail`: always fails (returns false), for testing failure paths (seed 000's FailCommandMessage). */
export class FailCommandMessage extends CommandMessage {
  static readonly type = 'fail';

  constructor() {
    super(FailCommandMessage.type);
  }

  execute(): boolean {
    return false;
  }

  toJSON(): unknown {
    return {};
  }

  static fromJSON(): FailCommandMessage {
    return new FailCommandMessage();
  }
}

/** Register the seed's built-in types (`echo`, `chain`, `fail`) on a registry. */
export function addBuiltinMessageTypes(registry: MessageRegistry): MessageRegistry {
  for (const cls of [EchoCommandMessage, ChainCommandMessage, FailCommandMessage]) registry.addMessageType(cls);
  return registry;
}

function bodyObject(body: unknown, type: string): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError(`The body of a ${type} message must be an object, got ${JSON.stringify(body)}`, { type, value: body });
  return body as Record<string, unknown>;
}
