import { sql } from 'kysely';

/**
 * What the persisted state machines (issuance applications, lock requests) share in PostgreSQL:
 * each transition appends an event row (from, to, who, why) beside a conditional update of the
 * record guarded by its state and version. The tables are the contexts' own; these helpers keep
 * the columns and their encoding in one place.
 */
export interface FlowEventInput<State extends string, Event extends string> {
  at: Date;
  event: Event;
  from: State | null;
  to: State;
  actor: { kind: string; id: string };
  detail?: Record<string, unknown>;
}

/** The columns of an event row, as a context's `<schema>.events` table holds them. */
export function flowEventColumns<State extends string, Event extends string>(event: FlowEventInput<State, Event>) {
  return {
    at: event.at,
    event: event.event,
    from_state: event.from,
    to_state: event.to,
    actor_kind: event.actor.kind,
    actor_id: event.actor.id,
    detail: JSON.stringify(event.detail ?? {}),
  };
}

/** The columns a history read selects, oldest first by id. */
export const FLOW_EVENT_FIELDS = ['at', 'event', 'from_state', 'to_state', 'actor_kind', 'actor_id', 'detail'] as const;

/** `version + 1`: every decision makes a form read before it stale (optimistic concurrency). */
export const nextVersion = () => sql<number>`version + 1`;
