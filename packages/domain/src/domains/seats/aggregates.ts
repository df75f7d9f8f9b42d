import { unknownEvent } from '../../decision.ts';
import type { AggregateDef, DomainEvent } from '../../types.ts';

/**
 * An organisation's licence. `used` materialises Σ seats of its teams: every seat change
 * writes the org too, so two commands that together exceed the cap conflict on the org
 * instead of slipping past each other (write skew).
 */
export interface OrgState {
  cap: number;
  used: number;
}

export interface TeamState {
  orgId: string;
  seats: number;
}

export type OrgEvent =
  | { type: 'seats.OrgCreated'; data: { cap: number } }
  | { type: 'seats.OrgCapSet'; data: { cap: number } }
  | { type: 'seats.OrgSeatsAllocated'; data: { teamId: string; seats: number } }
  | { type: 'seats.OrgSeatsReleased'; data: { teamId: string; seats: number } };

export type TeamEvent =
  | { type: 'seats.TeamCreated'; data: { orgId: string } }
  | { type: 'seats.TeamSeatsAdded'; data: { seats: number } }
  | { type: 'seats.TeamSeatsRemoved'; data: { seats: number } };

export const org: AggregateDef<OrgState> = {
  type: 'org',
  initial: () => ({ cap: 0, used: 0 }),
  evolve(state, event) {
    // Events reach evolve only from this domain's deciders or the WAL they were written to.
    const e = event as DomainEvent & OrgEvent;
    switch (e.type) {
      case 'seats.OrgCreated':
      case 'seats.OrgCapSet':
        return { cap: e.data.cap, used: state.used };
      case 'seats.OrgSeatsAllocated':
        return { cap: state.cap, used: state.used + e.data.seats };
      case 'seats.OrgSeatsReleased':
        return { cap: state.cap, used: state.used - e.data.seats };
      default:
        return unknownEvent('org', event);
    }
  },
  invariants: [
    {
      name: 'seats.org.used_within_cap',
      holds: (s) => s.used <= s.cap,
      describe: (s) => `${s.used} seats used would exceed the licence cap of ${s.cap}`,
    },
    {
      name: 'seats.org.used_not_negative',
      holds: (s) => s.used >= 0 && Number.isSafeInteger(s.used),
      describe: (s) => `seats used would be ${s.used}`,
    },
  ],
};

export const team: AggregateDef<TeamState> = {
  type: 'team',
  initial: () => ({ orgId: '', seats: 0 }),
  evolve(state, event) {
    const e = event as DomainEvent & TeamEvent;
    switch (e.type) {
      case 'seats.TeamCreated':
        return { orgId: e.data.orgId, seats: 0 };
      case 'seats.TeamSeatsAdded':
        return { orgId: state.orgId, seats: state.seats + e.data.seats };
      case 'seats.TeamSeatsRemoved':
        return { orgId: state.orgId, seats: state.seats - e.data.seats };
      default:
        return unknownEvent('team', event);
    }
  },
  invariants: [
    {
      name: 'seats.team.seats_not_negative',
      holds: (s) => s.seats >= 0 && Number.isSafeInteger(s.seats),
      describe: (s) => `team seats would be ${s.seats}`,
    },
  ],
};
