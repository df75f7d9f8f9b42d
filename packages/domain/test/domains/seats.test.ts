import { describe, expect, it } from 'vitest';
import { ev, given } from '../spec.ts';

const orgCreated = (id: string, cap: number) => ev('org', id, 'seats.OrgCreated', { cap });
const teamCreated = (id: string, orgId: string) => ev('team', id, 'seats.TeamCreated', { orgId });
const seatsAdded = (teamId: string, orgId: string, seats: number) => [
  ev('team', teamId, 'seats.TeamSeatsAdded', { seats }),
  ev('org', orgId, 'seats.OrgSeatsAllocated', { teamId, seats }),
];
const acmeWithRed = [orgCreated('acme', 10), teamCreated('red', 'acme')];

describe('seats', () => {
  it('carries a memo into the team event without changing any state', () => {
    given(acmeWithRed)
      .when('seats.addSeats', { orgId: 'acme', teamId: 'red', seats: 2, memo: 'order 17' })
      .thenEmits([
        ev('team', 'red', 'seats.TeamSeatsAdded', { seats: 2, memo: 'order 17' }),
        ev('org', 'acme', 'seats.OrgSeatsAllocated', { teamId: 'red', seats: 2 }),
      ]);
    given(acmeWithRed)
      .when('seats.addSeats', { orgId: 'acme', teamId: 'red', seats: 2, memo: 'x'.repeat(16 * 1024 + 1) })
      .thenRejects('ASP_REJ_SCHEMA');
  });

  it('creates an org once', () => {
    given([])
      .when('seats.createOrg', { orgId: 'acme', cap: 10 })
      .thenEmits([orgCreated('acme', 10)]);
    given([orgCreated('acme', 10)])
      .when('seats.createOrg', { orgId: 'acme', cap: 5 })
      .thenRejects('ASP_REJ_ALREADY_EXISTS');
  });

  it('creates a team in an existing org, once', () => {
    given([orgCreated('acme', 10)])
      .when('seats.createTeam', { orgId: 'acme', teamId: 'red' })
      .thenEmits([teamCreated('red', 'acme')]);
    given([]).when('seats.createTeam', { orgId: 'acme', teamId: 'red' }).thenRejects('ASP_REJ_NOT_FOUND');
    given(acmeWithRed)
      .when('seats.createTeam', { orgId: 'acme', teamId: 'red' })
      .thenRejects('ASP_REJ_ALREADY_EXISTS');
  });

  it('adds seats to the team and the org together', () => {
    given(acmeWithRed)
      .when('seats.addSeats', { orgId: 'acme', teamId: 'red', seats: 4 })
      .thenEmits(seatsAdded('red', 'acme', 4));
  });

  it('refuses seats beyond the cap, naming the invariant', () => {
    const rejected = given([...acmeWithRed, ...seatsAdded('red', 'acme', 8)])
      .when('seats.addSeats', { orgId: 'acme', teamId: 'red', seats: 3 })
      .thenRejects('ASP_REJ_INVARIANT', 'seats.org.used_within_cap');
    expect(rejected.message).toBe('cannot add 3 seats to team red: org acme has 2 of 10 free');
  });

  it('refuses a team of another org and unknown teams', () => {
    given([...acmeWithRed, orgCreated('other', 10)])
      .when('seats.addSeats', { orgId: 'other', teamId: 'red', seats: 1 })
      .thenRejects('ASP_REJ_INVALID_STATE');
    given(acmeWithRed)
      .when('seats.addSeats', { orgId: 'acme', teamId: 'blue', seats: 1 })
      .thenRejects('ASP_REJ_NOT_FOUND');
  });

  it('removes seats it has, not more', () => {
    const withSeats = [...acmeWithRed, ...seatsAdded('red', 'acme', 5)];
    given(withSeats)
      .when('seats.removeSeats', { orgId: 'acme', teamId: 'red', seats: 2 })
      .thenEmits([
        ev('team', 'red', 'seats.TeamSeatsRemoved', { seats: 2 }),
        ev('org', 'acme', 'seats.OrgSeatsReleased', { teamId: 'red', seats: 2 }),
      ]);
    given(withSeats)
      .when('seats.removeSeats', { orgId: 'acme', teamId: 'red', seats: 6 })
      .thenRejects('ASP_REJ_INVARIANT', 'seats.team.seats_not_negative');
  });

  it('sets the cap, never below the seats used', () => {
    const withSeats = [...acmeWithRed, ...seatsAdded('red', 'acme', 5)];
    given(withSeats)
      .when('seats.setCap', { orgId: 'acme', cap: 5 })
      .thenEmits([ev('org', 'acme', 'seats.OrgCapSet', { cap: 5 })]);
    given(withSeats)
      .when('seats.setCap', { orgId: 'acme', cap: 4 })
      .thenRejects('ASP_REJ_INVARIANT', 'seats.org.used_within_cap');
    given([]).when('seats.setCap', { orgId: 'acme', cap: 4 }).thenRejects('ASP_REJ_NOT_FOUND');
  });

  it('rejects bad data with the schema path', () => {
    const rejected = given(acmeWithRed)
      .when('seats.addSeats', { orgId: 'acme', teamId: 'red', seats: 0 })
      .thenRejects('ASP_REJ_SCHEMA');
    expect(rejected.message).toMatch(/^seats\.addSeats: data\.seats: /);
  });
});
