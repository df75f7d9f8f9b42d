import type { AllState, Domain } from '../../types.ts';
import { type OrgState, org, type TeamState, team } from './aggregates.ts';
import { addSeats, createOrg, createTeam, removeSeats, setCap } from './commands.ts';

/** Licence seats: organisations with a cap, teams that hold seats; Σ team seats = org used ≤ cap. */
export const seats: Domain = {
  name: 'seats',
  aggregates: [org, team],
  commands: [createOrg, setCap, createTeam, addSeats, removeSeats],
  audit,
};

/** The materialised `used` must equal the real sum; the org invariant then proves Σ ≤ cap. */
function audit(all: AllState): string[] {
  const sums = new Map<string, number>();
  const violations: string[] = [];
  for (const [id, { state }] of all.ofType<TeamState>(team.type)) {
    if (!all.ofType<OrgState>(org.type).has(state.orgId)) {
      violations.push(`team ${id} belongs to org ${state.orgId}, which does not exist`);
    }
    sums.set(state.orgId, (sums.get(state.orgId) ?? 0) + state.seats);
  }
  for (const [id, { state }] of all.ofType<OrgState>(org.type)) {
    const sum = sums.get(id) ?? 0;
    if (sum !== state.used)
      violations.push(`org ${id}: used is ${state.used} but its teams hold ${sum} seats`);
  }
  return violations;
}
