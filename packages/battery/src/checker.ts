import type { HistoryEntry } from './history.js';

/** What the checker can find. Zero of each is expected. */
export const ANOMALY_KINDS = [
  'lost', // acknowledged ok, never read back
  'misplaced-ack', // acknowledged at an offset that holds another record
  'phantom', // reported failed, but present in the log
  'log-duplicate', // one payload id at two offsets
  'redelivery', // delivered again although a commit past it came before the redelivering member's assignment
  'skipped-commit', // a commit past a record no member had handled yet
  'backward-commit', // a partition's commit moved back
  'commit-not-owned', // a commit for a partition the member did not own at the time
  'undelivered', // in the log of a consumed topic, never handled by any member (after the drain)
  'lost-dead-letter', // a record whose handler failed for good, absent from its dead-letter topic
  'request-outcomes', // a request with no outcome, or more than one
  'stream-gap', // a listener skipped stream sequence numbers (or received the close short of the last acknowledged put)
  'stream-reorder', // a listener saw a sequence number not after the previous one, or a header after it had begun
  'stream-header', // a listener's first element of a stream was neither its header nor the stream's first put
  'stream-unfinished', // a listener stopped after the writer closed a stream it listened to, without that close
  'command-lost', // a command acknowledged, never executed; or its follow-up not in the log, or never executed
  'command-duplicate', // one command id more than once in the log, as a read_committed reader sees it
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface Anomaly {
  kind: AnomalyKind;
  message: string;
  /** The history lines (and observed records) that show it. */
  evidence: unknown[];
}

/** One record as the independent reader found it; `id` is its key (the payload id the workers write). */
export interface ObservedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  id: string | undefined;
}

/** One command message as a fresh read_committed reader found it. */
export interface ObservedCommand {
  partition: number;
  offset: bigint;
  id: string;
  type: string;
  /** The id of the command whose follow-up it is; undefined for a command sent from outside. */
  causationId: string | undefined;
}

/** What a fresh client read after the faults healed. */
export interface Observed {
  /** Every record of every topic the workloads wrote, end to end. */
  log: readonly ObservedRecord[];
  /** Every record of the dead-letter topics. */
  deadLetters: readonly ObservedRecord[];
  /** The group's committed offsets (next offset to read) through the admin API, by topic and partition. */
  commits: ReadonlyArray<{ topic: string; partition: number; offset: bigint }>;
  /** Every command message of the commands topic, read_committed, when the command workload ran. */
  commands?: readonly ObservedCommand[];
}

export interface CheckOptions {
  /**
   * Topics the group members were given time to read to the end: every record there must have been handled,
   * and the final commit must be at the end. Default none.
   */
  drainedTopics?: readonly string[];
  /**
   * How long after another member's assignment a commit of a member that was not reassigned still counts as one
   * sent in the previous generation (its response may arrive after the other member learnt its assignment).
   * Default 2000 ms. A member's commit of a partition its own latest assignment lacks is reported whatever it is.
   */
  ownershipSlackMs?: number;
}

export interface CheckResult {
  anomalies: Anomaly[];
  counts: Record<AnomalyKind, number>;
  stats: {
    acked: number; failed: number; unknown: number; logRecords: number; deliveries: number; commits: number; requests: number; streamElements: number;
    /** Commands acknowledged; executions (follow-ups included); executions beyond the first of a command id. */
    commandsSent: number; commandRuns: number; commandReruns: number;
  };
}

const pk = (topic: string, partition: number) => `${topic}:${partition}`;

type Of<K extends HistoryEntry['k']> = Extract<HistoryEntry, { k: K }>;
type Report = (kind: AnomalyKind, message: string, ...evidence: unknown[]) => void;
type Entries = <K extends HistoryEntry['k']>(k: K) => Array<Of<K>>;

/**
 * The independent checker: compares the histories the workers wrote with what a fresh client read, and reports
 * every anomaly by kind. Pure: it reads nothing itself.
 */
export function check(history: readonly HistoryEntry[], observed: Observed, options: CheckOptions = {}): CheckResult {
  const slack = options.ownershipSlackMs ?? 2000;
  const anomalies: Anomaly[] = [];
  const add = (kind: AnomalyKind, message: string, ...evidence: unknown[]) => anomalies.push({ kind, message, evidence });
  const entries = [...history].sort((a, b) => a.t - b.t);
  const of = <K extends HistoryEntry['k']>(k: K) => entries.filter((e): e is Of<K> => e.k === k);

  // The log: where each payload id sits.
  const byId = new Map<string, ObservedRecord[]>();
  const byPartition = new Map<string, ObservedRecord[]>();
  for (const r of observed.log) {
    if (r.id !== undefined) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
    const list = byPartition.get(pk(r.topic, r.partition)) ?? [];
    list.push(r);
    byPartition.set(pk(r.topic, r.partition), list);
  }
  for (const list of byPartition.values()) list.sort((a, b) => (a.offset < b.offset ? -1 : 1));
  for (const [id, at] of byId) {
    if (at.length > 1) add('log-duplicate', `payload ${id} is in the log ${at.length} times: ${at.map((r) => `${pk(r.topic, r.partition)}@${r.offset}`).join(', ')}`, ...at);
  }

  // Sends.
  const sends = of('send');
  for (const s of sends) {
    const at = byId.get(s.id) ?? [];
    if (s.status === 'ok') {
      if (at.length === 0) add('lost', `payload ${s.id} was acknowledged at ${s.topic}:${s.partition}@${s.offset} but is not in the log`, s);
      else if (s.offset !== undefined && !at.some((r) => r.partition === s.partition && r.offset === BigInt(s.offset!))) {
        add('misplaced-ack', `payload ${s.id} was acknowledged at ${s.topic}:${s.partition}@${s.offset} but is at ${at.map((r) => `${pk(r.topic, r.partition)}@${r.offset}`).join(', ')}`, s, ...at);
      }
    } else if (s.status === 'failed' && at.length > 0) {
      add('phantom', `payload ${s.id} was reported failed but is in the log at ${at.map((r) => `${pk(r.topic, r.partition)}@${r.offset}`).join(', ')}`, s, ...at);
    }
  }

  // Group members: assignments, deliveries and commits, by partition and in time order.
  const assigns = of('assign');
  const latestAssign = (member: string, t: number): Of<'assign'> | undefined => {
    let found: Of<'assign'> | undefined;
    for (const a of assigns) {
      if (a.t > t) break;
      if (a.member === member) found = a;
    }
    return found;
  };
  const owns = (a: Of<'assign'> | undefined, topic: string, partition: number) => !!a && a.partitions.some((p) => p.topic === topic && p.partition === partition);

  const commits = of('commit');
  const commitsOf = new Map<string, Of<'commit'>[]>();
  for (const c of commits) commitsOf.set(pk(c.topic, c.partition), [...(commitsOf.get(pk(c.topic, c.partition)) ?? []), c]);
  const deliveries = of('deliver');
  const deliveriesOf = new Map<string, Of<'deliver'>[]>();
  for (const d of deliveries) {
    const key = `${pk(d.topic, d.partition)}@${d.offset}`;
    deliveriesOf.set(key, [...(deliveriesOf.get(key) ?? []), d]);
  }
  const firstDelivery = (topic: string, partition: number, offset: bigint) => deliveriesOf.get(`${pk(topic, partition)}@${offset}`)?.[0];

  // Redeliveries: a record handled again is within the uncommitted window only if no commit past it completed
  // before the redelivering member's assignment, and it is not repeated within one assignment of one member.
  for (const list of deliveriesOf.values()) {
    for (let i = 1; i < list.length; i++) {
      const d = list[i]!;
      const earlier = list.slice(0, i);
      const sameAssignment = earlier.find((e) => e.member === d.member && e.gen === d.gen);
      if (sameAssignment) {
        add('redelivery', `${pk(d.topic, d.partition)}@${d.offset} was delivered twice to ${d.member} within its assignment ${d.gen}`, sameAssignment, d);
        continue;
      }
      const assignment = latestAssign(d.member, d.t);
      const passed = (commitsOf.get(pk(d.topic, d.partition)) ?? []).find((c) => BigInt(c.offset) > BigInt(d.offset) && assignment !== undefined && c.t < assignment.t);
      if (passed) add('redelivery', `${pk(d.topic, d.partition)}@${d.offset} was delivered again to ${d.member} although ${passed.member} had committed ${passed.offset} before that member's assignment`, earlier[0], passed, assignment, d);
    }
  }

  // Commits: forward only, never past an unhandled record, only by the partition's owner.
  for (const [key, list] of commitsOf) {
    const [topic] = [list[0]!.topic];
    const partition = list[0]!.partition;
    const log = byPartition.get(key) ?? [];
    let previous: Of<'commit'> | undefined;
    for (const [i, c] of list.entries()) {
      const offset = BigInt(c.offset);
      // Backward only against a commit answered before this one left: commits in flight together (an answer that
      // came late, after the process stood still) may have reached the coordinator in either order.
      const left = c.sentAt ?? c.t;
      const before = list.slice(0, i).reduce<Of<'commit'> | undefined>((best, p) => (p.t <= left && (!best || BigInt(p.offset) > BigInt(best.offset)) ? p : best), undefined);
      if (before && offset < BigInt(before.offset)) add('backward-commit', `${key} was committed at ${before.offset} by ${before.member}, then back at ${c.offset} by ${c.member}`, before, c);
      const from = previous ? BigInt(previous.offset) : -1n;
      for (const r of log) {
        if (r.offset < from || r.offset >= offset) continue;
        const d = firstDelivery(topic, partition, r.offset);
        if (!d || d.t > c.t) {
          add('skipped-commit', `${c.member} committed ${key} at ${c.offset} before ${key}@${r.offset} had been handled${d ? ` (first handled ${d.t - c.t} ms later)` : ' (never handled)'}`, c, r, ...(d ? [d] : []));
          break;
        }
      }
      const mine = latestAssign(c.member, c.t);
      if (!owns(mine, topic, partition)) add('commit-not-owned', `${c.member} committed ${key} at ${c.offset} while its assignment ${mine?.gen ?? '(none)'} did not hold it`, mine, c);
      else {
        // Another member assigned the partition before the commit left (when known; else with the slack for an
        // answer that came late) while this one was not reassigned: the commit was not this member's to make.
        const left = c.sentAt ?? c.t - slack;
        const other = assigns.find((a) => a.member !== c.member && a.t > mine!.t && a.t < left && owns(a, topic, partition));
        if (other) add('commit-not-owned', `${c.member} committed ${key} at ${c.offset}, ${c.t - other.t} ms after ${other.member} was assigned it (and ${c.member} was not reassigned since)`, mine, other, c);
      }
      if (!previous || offset >= BigInt(previous.offset)) previous = c;
    }
  }
  // The group's final commits, through the admin API.
  for (const fc of observed.commits) {
    const key = pk(fc.topic, fc.partition);
    const recorded = commitsOf.get(key) ?? [];
    const highest = recorded.reduce((m, c) => (BigInt(c.offset) > m ? BigInt(c.offset) : m), -1n);
    if (fc.offset < highest) add('backward-commit', `the group's final commit of ${key} is ${fc.offset}, below the ${highest} a member had committed`, fc);
    const unhandled = (byPartition.get(key) ?? []).find((r) => r.offset < fc.offset && !firstDelivery(fc.topic, fc.partition, r.offset));
    if (unhandled) add('skipped-commit', `the group's final commit of ${key} is ${fc.offset}, past ${key}@${unhandled.offset}, which no member handled`, fc, unhandled);
  }

  // The drain: every record of a consumed topic handled, and the final commit at the end of the log.
  for (const topic of options.drainedTopics ?? []) {
    for (const [key, log] of byPartition) {
      if (log[0]?.topic !== topic) continue;
      const partition = log[0].partition;
      const missing = log.filter((r) => !firstDelivery(topic, partition, r.offset));
      if (missing.length > 0) add('undelivered', `${missing.length} record(s) of ${key} were never handled, first ${key}@${missing[0]!.offset}`, ...missing.slice(0, 5));
      const end = log[log.length - 1]!.offset + 1n;
      const final = observed.commits.find((c) => c.topic === topic && c.partition === partition);
      if (!final || final.offset < end) add('undelivered', `the group's final commit of ${key} is ${final?.offset ?? 'absent'}, short of the end of the log ${end}`, final);
    }
  }

  // Dead letters: each record given up on is in its dead-letter topic.
  const dlt = new Set(observed.deadLetters.map((r) => r.id));
  const givenUp = new Set<string>();
  for (const d of of('dead-letter')) {
    if (givenUp.has(d.id)) continue;
    givenUp.add(d.id);
    if (!dlt.has(d.id)) add('lost-dead-letter', `${d.topic}:${d.partition}@${d.offset} (payload ${d.id}) failed for good but is not in the dead-letter topic`, d);
  }

  // Requests: exactly one outcome each, and a response the requester's own.
  const requests = of('request');
  const outcomes = new Map<string, Of<'outcome'>[]>();
  for (const o of of('outcome')) outcomes.set(o.id, [...(outcomes.get(o.id) ?? []), o]);
  for (const r of requests) {
    const got = outcomes.get(r.id) ?? [];
    if (got.length !== 1) add('request-outcomes', `request ${r.id} got ${got.length} outcomes${got.length ? `: ${got.map((o) => o.outcome).join(', ')}` : ''}`, r, ...got);
    else if (got[0]!.outcome === 'wrong-response') add('request-outcomes', `request ${r.id} got another request's response`, r, ...got);
  }

  const streamElements = of('stream').length;
  checkStreams(entries, add);
  const commandStats = checkCommands(of, observed.commands ?? [], add);

  const counts = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as Record<AnomalyKind, number>;
  for (const a of anomalies) counts[a.kind]++;
  return {
    anomalies,
    counts,
    stats: {
      acked: sends.filter((s) => s.status === 'ok').length,
      failed: sends.filter((s) => s.status === 'failed').length,
      unknown: sends.filter((s) => s.status === 'unknown').length,
      logRecords: observed.log.length,
      deliveries: deliveries.length,
      commits: commits.length,
      requests: requests.length,
      streamElements,
      ...commandStats,
    },
  };
}

/**
 * Streams: each listener process is a new listener. Per process and stream: first the header (or the stream's
 * first put, for a listener that waited for the stream to begin), then every put after it, each one after the
 * previous (a put the writer made again after a failure may come twice in a row: it may have landed the first
 * time), then the close, not short of the last put the writer had acknowledged. A listener that stopped gracefully
 * after the writer closed its streams must have received each close.
 */
function checkStreams(entries: readonly HistoryEntry[], add: Report): void {
  const putAgain = new Set<string>();
  const closed = new Map<string, Of<'stream-close'>>();
  for (const e of entries) {
    if (e.k === 'stream-put' && e.status === 'failed') putAgain.add(`${e.stream}#${e.seq}`);
    else if (e.k === 'stream-close') closed.set(e.stream, e);
  }
  const views = new Map<string, { last: Of<'stream'>; ended?: Of<'stream-end'> }>();
  for (const e of entries) {
    if (e.k !== 'stream' && e.k !== 'stream-end') continue;
    const key = `${e.incarnation} ${e.stream}`;
    const view = views.get(key);
    if (e.k === 'stream-end') {
      if (!view) continue;
      view.ended = e;
      const close = closed.get(e.stream);
      if (close && view.last.seq < close.lastSeq) add('stream-gap', `${e.incarnation} received the close of ${e.stream} after #${view.last.seq}, but the writer had #${close.lastSeq} acknowledged`, view.last, close, e);
      continue;
    }
    if (!view) {
      views.set(key, { last: e });
      if (!e.header && e.seq !== 0) add('stream-header', `${e.incarnation} began ${e.stream} at #${e.seq} without its header`, e);
      continue;
    }
    const prev = view.last;
    view.last = e;
    if (view.ended) add('stream-reorder', `${e.incarnation} saw ${e.stream} #${e.seq} after its close`, view.ended, e);
    else if (e.header) add('stream-reorder', `${e.incarnation} received a header of ${e.stream} after #${prev.seq}`, prev, e);
    else if (e.seq === prev.seq + 1 || (e.seq === prev.seq && !prev.header && putAgain.has(`${e.stream}#${e.seq}`))) continue;
    else if (e.seq <= prev.seq) add('stream-reorder', `${e.incarnation} saw ${e.stream} #${e.seq} after #${prev.seq}`, prev, e);
    else add('stream-gap', `${e.incarnation} saw ${e.stream} #${e.seq} right after ${prev.header ? `its header (after #${prev.seq})` : `#${prev.seq}`}`, prev, e);
  }
  for (const stop of entries) {
    if (stop.k !== 'stream-stop') continue;
    for (const stream of stop.streams) {
      if (closed.has(stream) && !views.get(`${stop.incarnation} ${stream}`)?.ended) add('stream-unfinished', `${stop.incarnation} stopped without the close of ${stream}, which the writer closed`, closed.get(stream), stop);
    }
  }
}

/**
 * Commands, against the read_committed log: every command acknowledged was executed, and its follow-up is in the
 * log and was executed too; no command id is in the log twice (the processors' transactions publish each
 * follow-up once however often a command runs). Running a command more than once is at-least-once execution, the
 * contract: it is counted, not reported.
 */
function checkCommands(of: Entries, log: readonly ObservedCommand[], add: Report): { commandsSent: number; commandRuns: number; commandReruns: number } {
  const runs = new Map<string, Of<'command-run'>[]>();
  for (const r of of('command-run')) runs.set(r.id, [...(runs.get(r.id) ?? []), r]);
  const inLog = new Map<string, ObservedCommand[]>();
  const followUpsOf = new Map<string, ObservedCommand[]>();
  for (const c of log) {
    inLog.set(c.id, [...(inLog.get(c.id) ?? []), c]);
    if (c.causationId !== undefined) followUpsOf.set(c.causationId, [...(followUpsOf.get(c.causationId) ?? []), c]);
  }
  for (const [id, at] of inLog) {
    if (at.length > 1) add('command-duplicate', `command ${id} (${at[0]!.type}) is in the log ${at.length} times: ${at.map((c) => `${c.partition}@${c.offset}`).join(', ')}`, ...at);
  }
  const sent = of('command-send').filter((s) => s.status === 'ok' && s.id !== undefined);
  for (const s of sent) {
    const id = s.id!;
    if (!runs.has(id)) add('command-lost', `command ${id} (${s.ref}) was acknowledged at ${s.partition}@${s.offset} but never executed`, s);
    else if (!followUpsOf.has(id)) add('command-lost', `command ${id} (${s.ref}) was executed but its follow-up is not in the log`, s, ...runs.get(id)!);
  }
  for (const c of log) {
    if (c.causationId !== undefined && !runs.has(c.id)) add('command-lost', `follow-up ${c.id} (${c.type}) of ${c.causationId} is in the log at ${c.partition}@${c.offset} but was never executed`, c);
  }
  const all = [...runs.values()];
  return { commandsSent: sent.length, commandRuns: all.reduce((n, l) => n + l.length, 0), commandReruns: all.reduce((n, l) => n + l.length - 1, 0) };
}
