import type { PoolClient } from 'pg';
import type { PeerMode } from './options.ts';
import type { Outcome } from './tx.ts';

export interface SeatsData {
  orgId: string;
  teamId: string;
  seats: number;
}

// Locking the org first serialises every seat change of the org: all its teams' seats and its
// cap are only changed by transactions that hold this lock.
const LOCK_ORG = 'SELECT 1 FROM orgs WHERE id = $1 FOR UPDATE';

// The invariant's whole read scope: the org's cap and the sum over all of its teams, plus the
// team itself (its seats for a removal, its org to check the command names the right one).
const READ = `SELECT t.org_id, t.seats, o.cap, o.used,
  (SELECT coalesce(sum(s.seats), 0) FROM teams s WHERE s.org_id = o.id) AS total
FROM teams t JOIN orgs o ON o.id = $1 WHERE t.id = $2`;

// Read-modify-write with the values computed by the application, the same statement in every
// mode: only the isolation level and the locks decide whether it is safe.
const WRITE = 'WITH t AS (UPDATE teams SET seats = $3 WHERE id = $2) UPDATE orgs SET used = $4 WHERE id = $1';

interface SeatsRow {
  org_id: string;
  seats: string;
  cap: string;
  used: string;
  total: string;
}

/**
 * seats.addSeats (sign 1) and seats.removeSeats (sign -1), deciding as the seats domain does:
 * Σ team seats + added ≤ cap, and a team never below zero seats.
 */
export async function changeSeats(
  c: PoolClient,
  mode: PeerMode,
  d: SeatsData,
  sign: 1 | -1,
): Promise<Outcome> {
  if (mode === 'for_update') {
    const locked = await c.query({ name: 'peers_org_lock', text: LOCK_ORG, values: [d.orgId] });
    if (locked.rowCount === 0) return 'rejected';
  }
  const r = await c.query<SeatsRow>({ name: 'peers_seats_read', text: READ, values: [d.orgId, d.teamId] });
  const row = r.rows[0];
  if (row === undefined || row.org_id !== d.orgId) return 'rejected';
  const seats = Number(row.seats);
  if (sign > 0 && Number(row.total) + d.seats > Number(row.cap)) return 'rejected';
  if (sign < 0 && d.seats > seats) return 'rejected';
  const delta = sign * d.seats;
  await c.query({
    name: 'peers_seats_write',
    text: WRITE,
    values: [d.orgId, d.teamId, seats + delta, Number(row.used) + delta],
  });
  return 'accepted';
}
