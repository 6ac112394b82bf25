import type { SessionProperties } from './properties.js';

/** A live session as every other session sees it. */
export interface SessionInfo {
  readonly id: string;
  /** Fixed properties (`$SessionId`, `$Host`, ...) and user properties. */
  readonly properties: SessionProperties;
  /** Paths it handles unaddressed requests for. */
  readonly registeredPaths: readonly string[];
  /** Paths it handles requests addressed to it for. */
  readonly addressedPaths: readonly string[];
}

/** A change in the set of live sessions. */
export type SessionEvent =
  | { readonly type: 'added'; readonly session: SessionInfo }
  | { readonly type: 'changed'; readonly session: SessionInfo }
  /** `closed`: it said goodbye; `expired`: it stopped beating for longer than its timeout. */
  | { readonly type: 'removed'; readonly session: SessionInfo; readonly reason: 'closed' | 'expired' };

export type SessionListener = (event: SessionEvent) => void;
