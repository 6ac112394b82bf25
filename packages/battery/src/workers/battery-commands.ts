import { CommandMessage, type CommandContext, type CommandMessageClass } from '@tributary/commands';

/** What a battery command's body holds: the sender's own reference, unique in the run. */
interface Body {
  ref: string;
}

function refOf(body: unknown): string {
  const ref = (body as Partial<Body> | null)?.ref;
  if (typeof ref !== 'string') throw new TypeError(`A battery command's body is { ref: string }, got ${JSON.stringify(body)}`);
  return ref;
}

/** Where a processor records each execution (its effect); a sender records nothing. */
export type RunRecorder = (run: { id: string; type: string; ref: string }) => void;

/**
 * The battery's command types: `battery-chain`, whose execution records itself and leads to one
 * `battery-effect` follow-up, which records itself too. `workMs` of work at most per execution, so a kill lands
 * while commands are under way.
 */
export function batteryCommands(record: RunRecorder = () => {}, workMs = 0): { Chain: CommandMessageClass & (new (ref: string) => CommandMessage); Effect: CommandMessageClass } {
  /** A command that records its execution, works a little, then leaves the follow-ups `next()` gives. */
  abstract class Recorded extends CommandMessage {
    constructor(type: string, readonly ref: string) {
      super(type);
    }
    abstract next(): CommandMessage[];
    async execute(context: CommandContext): Promise<boolean> {
      record({ id: context.id, type: this.type, ref: this.ref });
      if (workMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * workMs));
      this.newMessages = this.next();
      return true;
    }
    toJSON(): Body {
      return { ref: this.ref };
    }
  }
  class Effect extends Recorded {
    static readonly type = 'battery-effect';
    constructor(ref: string) {
      super(Effect.type, ref);
    }
    next(): CommandMessage[] {
      return [];
    }
    static fromJSON(body: unknown): Effect {
      return new Effect(refOf(body));
    }
  }
  class Chain extends Recorded {
    static readonly type = 'battery-chain';
    constructor(ref: string) {
      super(Chain.type, ref);
    }
    next(): CommandMessage[] {
      return [new Effect(this.ref)];
    }
    static fromJSON(body: unknown): Chain {
      return new Chain(refOf(body));
    }
  }
  return { Chain, Effect };
}
