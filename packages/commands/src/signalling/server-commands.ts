import { ErrorCodes, TributaryError } from '@tributary/core';
import type { MessagingSession } from '@tributary/messaging';
import { channelOwner, checkGroupName } from '../channels/channel-name.js';
import type { GroupStore } from '../channels/group-store.js';
import type { PerformanceReport } from './performance.js';
import { parseSignallingMessage, signallingMessage, stringProperty, type SignallingMessage } from './signalling-message.js';

/** What the server's commands need from it. */
export interface ServerCommandPorts {
  readonly session: MessagingSession;
  readonly groups: GroupStore;
  readonly clientPath: string;
  /** Deadline of a server-to-client request (FLUSH_CLIENT, PERFORMANCE_REPORT). */
  readonly clientTimeoutMs: number;
  readonly print: (text: string) => void;
  readonly clients: () => Array<{ sessionId: string; lastSeenAt: number; buffered: number | undefined }>;
  readonly report: (commandId: string) => Promise<PerformanceReport>;
}

/** The properties of a command's `COMPLETE`, or a throw that becomes its `EXCEPTION`. */
export type ServerCommand = (message: SignallingMessage, from: string, signal: AbortSignal) => Promise<Record<string, unknown>>;

/** The client-to-server commands (KEEPALIVE is answered by the server itself). */
export function serverCommands(p: ServerCommandPorts): Record<'GROUP_ADD' | 'GROUP_DISCARD' | 'FLUSH' | 'PRINT' | 'PERFORMANCE', ServerCommand> {
  return {
    /** Add `properties.channel` to `properties.group` on the groups topic; COMPLETE once the server's view has it. */
    GROUP_ADD: async (m) => {
      const [group, channel] = membership(m);
      return { group, channel, ...(await p.groups.add(group, channel)) };
    },
    GROUP_DISCARD: async (m) => {
      const [group, channel] = membership(m);
      return { group, channel, ...(await p.groups.discard(group, channel)) };
    },
    /**
     * Discard every membership, then `FLUSH_CLIENT` to every live client (every session answering the client path,
     * whichever server it keeps alive with). EXCEPTION when a client did not confirm: the groups are flushed anyway.
     */
    FLUSH: async (_m, _from, signal) => {
      const memberships = await p.groups.discardWhere(() => true);
      const clients = p.session.sessions().filter((s) => s.addressedPaths.includes(p.clientPath)).map((s) => s.id);
      const outcomes = await Promise.allSettled(clients.map((id) => toClient(p, id, signallingMessage('FLUSH_CLIENT'), signal)));
      const failed = clients.filter((_, i) => outcomes[i]!.status === 'rejected');
      if (failed.length > 0) {
        const why = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!.reason as Error;
        throw new TributaryError(ErrorCodes.REQUEST_FAILED, `Flushed ${memberships} membership(s), but ${failed.length} of ${clients.length} client(s) did not confirm FLUSH_CLIENT (${failed.join(', ')}): ${why.message}`, { context: { failed }, cause: why });
      }
      const dropped = outcomes.reduce((n, o) => n + Number((o as PromiseFulfilledResult<SignallingMessage>).value.properties.dropped ?? 0), 0);
      return { memberships, clients: clients.length, dropped };
    },
    /** The group store and the clients, to `print` and in the COMPLETE. */
    PRINT: async () => {
      const groups = p.groups.snapshot();
      const clients = p.clients();
      const lines = [`Signalling server ${p.session.id}`, `Groups (${Object.keys(groups).length}):`];
      for (const [group, channels] of Object.entries(groups)) lines.push(`  ${group}: ${channels.join(', ')}`);
      lines.push(`Clients (${clients.length}):`);
      for (const c of clients) lines.push(`  ${c.sessionId}: last heard ${new Date(c.lastSeenAt).toISOString()}, ${c.buffered ?? 'unknown'} message(s) buffered`);
      const text = lines.join('\n');
      p.print(text);
      return { groups, clients, text };
    },
    /** The report goes to the requester as PERFORMANCE_REPORT; COMPLETE follows once the client confirmed it. */
    PERFORMANCE: async (m, from, signal) => {
      const report = await p.report(m.id);
      const push = signallingMessage('PERFORMANCE_REPORT', { commandId: m.id, report });
      await toClient(p, from, push, signal);
      return { reportId: push.id };
    },
  };
}

/** A request to a client's session; resolves with its COMPLETE. @throws its EXCEPTION as an error, or messaging's. */
async function toClient(p: ServerCommandPorts, clientId: string, message: SignallingMessage, signal: AbortSignal): Promise<SignallingMessage> {
  const reply = parseSignallingMessage(await p.session.sendRequestToSession(p.clientPath, clientId, message, { timeout: p.clientTimeoutMs, signal }), ['COMPLETE', 'EXCEPTION']);
  if (reply.id !== message.id) throw new TributaryError(ErrorCodes.REQUEST_FAILED, `Client ${clientId} answered ${message.command} ${message.id} with the id ${reply.id}`, { context: { clientId } });
  if (reply.command === 'EXCEPTION') throw new TributaryError(ErrorCodes.REQUEST_FAILED, `Client ${clientId} raised an exception on ${message.command}: ${String(reply.properties.message)}`, { context: { clientId, remoteCode: reply.properties.code } });
  return reply;
}

function membership(m: SignallingMessage): [string, string] {
  const group = checkGroupName(stringProperty(m, 'group'));
  const channel = stringProperty(m, 'channel');
  channelOwner(channel);
  return [group, channel];
}
