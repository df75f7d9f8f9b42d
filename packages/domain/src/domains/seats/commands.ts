import { z } from 'zod';
import { accept, eventOn, read, reject } from '../../decision.ts';
import type { CommandDef } from '../../types.ts';
import { aggregateId, memo, nonNegativeInt, positiveInt, withMemo } from '../schemas.ts';
import { org, team } from './aggregates.ts';

const orgKey = (orgId: string) => ({ type: org.type, id: orgId });
const teamKey = (teamId: string) => ({ type: team.type, id: teamId });

const createOrgData = z.strictObject({ orgId: aggregateId, cap: nonNegativeInt });
export const createOrg: CommandDef<z.infer<typeof createOrgData>> = {
  type: 'seats.createOrg',
  schema: createOrgData,
  keys: (d) => [orgKey(d.orgId)],
  decide(d, view) {
    if (read(view, org, d.orgId)) return reject('ASP_REJ_ALREADY_EXISTS', `org ${d.orgId} already exists`);
    return accept(eventOn(org, d.orgId, 'seats.OrgCreated', { cap: d.cap }));
  },
};

export const setCap: CommandDef<z.infer<typeof createOrgData>> = {
  type: 'seats.setCap',
  schema: createOrgData,
  keys: (d) => [orgKey(d.orgId)],
  decide(d, view) {
    const o = read(view, org, d.orgId);
    if (!o) return reject('ASP_REJ_NOT_FOUND', `org ${d.orgId} not found`);
    if (d.cap < o.state.used) {
      const message = `cannot set the cap of org ${d.orgId} to ${d.cap}: ${o.state.used} seats are used`;
      return reject('ASP_REJ_INVARIANT', message, 'seats.org.used_within_cap');
    }
    return accept(eventOn(org, d.orgId, 'seats.OrgCapSet', { cap: d.cap }));
  },
};

const createTeamData = z.strictObject({ orgId: aggregateId, teamId: aggregateId });
export const createTeam: CommandDef<z.infer<typeof createTeamData>> = {
  type: 'seats.createTeam',
  schema: createTeamData,
  keys: (d) => [orgKey(d.orgId), teamKey(d.teamId)],
  decide(d, view) {
    if (!read(view, org, d.orgId)) return reject('ASP_REJ_NOT_FOUND', `org ${d.orgId} not found`);
    if (read(view, team, d.teamId))
      return reject('ASP_REJ_ALREADY_EXISTS', `team ${d.teamId} already exists`);
    return accept(eventOn(team, d.teamId, 'seats.TeamCreated', { orgId: d.orgId }));
  },
};

// The org id travels with the command (though the team knows it) so that keys() can name the
// org without reading state: the sequencer prefetches keys before any decide runs.
const seatsData = z.strictObject({ orgId: aggregateId, teamId: aggregateId, seats: positiveInt, memo });
export const addSeats: CommandDef<z.infer<typeof seatsData>> = {
  type: 'seats.addSeats',
  schema: seatsData,
  keys: (d) => [orgKey(d.orgId), teamKey(d.teamId)],
  decide(d, view) {
    const t = read(view, team, d.teamId);
    if (!t) return reject('ASP_REJ_NOT_FOUND', `team ${d.teamId} not found`);
    if (t.state.orgId !== d.orgId) return wrongOrg(d.teamId, t.state.orgId, d.orgId);
    const o = read(view, org, d.orgId);
    if (!o) return reject('ASP_REJ_NOT_FOUND', `org ${d.orgId} not found`);
    if (o.state.used + d.seats > o.state.cap) {
      const free = o.state.cap - o.state.used;
      const message = `cannot add ${d.seats} seats to team ${d.teamId}: org ${d.orgId} has ${free} of ${o.state.cap} free`;
      return reject('ASP_REJ_INVARIANT', message, 'seats.org.used_within_cap');
    }
    return accept(
      eventOn(team, d.teamId, 'seats.TeamSeatsAdded', withMemo({ seats: d.seats }, d.memo)),
      eventOn(org, d.orgId, 'seats.OrgSeatsAllocated', { teamId: d.teamId, seats: d.seats }),
    );
  },
};

export const removeSeats: CommandDef<z.infer<typeof seatsData>> = {
  type: 'seats.removeSeats',
  schema: seatsData,
  keys: (d) => [orgKey(d.orgId), teamKey(d.teamId)],
  decide(d, view) {
    const t = read(view, team, d.teamId);
    if (!t) return reject('ASP_REJ_NOT_FOUND', `team ${d.teamId} not found`);
    if (t.state.orgId !== d.orgId) return wrongOrg(d.teamId, t.state.orgId, d.orgId);
    if (d.seats > t.state.seats) {
      const message = `cannot remove ${d.seats} seats from team ${d.teamId}: it has ${t.state.seats}`;
      return reject('ASP_REJ_INVARIANT', message, 'seats.team.seats_not_negative');
    }
    return accept(
      eventOn(team, d.teamId, 'seats.TeamSeatsRemoved', withMemo({ seats: d.seats }, d.memo)),
      eventOn(org, d.orgId, 'seats.OrgSeatsReleased', { teamId: d.teamId, seats: d.seats }),
    );
  },
};

function wrongOrg(teamId: string, actual: string, given: string) {
  return reject('ASP_REJ_INVALID_STATE', `team ${teamId} belongs to org ${actual}, not ${given}`);
}
