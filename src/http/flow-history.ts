import { Type } from 'typebox';

/**
 * The history of a persisted flow (an application, a lock request) as officers read it: one row
 * per transition, oldest first. The event rows come from `platform/flow-events.ts` tables.
 */
export const FlowHistory = Type.Array(
  Type.Object({
    at: Type.String({ format: 'date-time' }),
    event: Type.String(),
    from: Type.Union([Type.String(), Type.Null()]),
    to: Type.String(),
    actor: Type.String(),
  }),
);

export function flowHistoryView(
  rows: readonly {
    at: Date;
    event: string;
    from_state: string | null;
    to_state: string;
    actor_kind: string;
    actor_id: string;
  }[],
) {
  return rows.map((h) => ({
    at: h.at.toISOString(),
    event: h.event,
    from: h.from_state,
    to: h.to_state,
    actor: `${h.actor_kind}:${h.actor_id}`,
  }));
}
