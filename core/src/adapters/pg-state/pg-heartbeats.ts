/**
 * What keeps this process alive in the other hosts' eyes: its row in fleet_hosts and the leases it
 * holds, renewed every lease/3 seconds by one statement, on a connection of their own.
 *
 * Runs' statements (run records, checkpoints, diff stores) share the backend's pool. A host running
 * many syncs at once keeps every pooled connection busy and queues more behind them; a heartbeat
 * queued there could let a live host's leases lapse and its claims be taken over, so that two hosts
 * deliver the same rows. One statement for all of them, so a host holding a thousand leases sends
 * one per period rather than a thousand.
 */
import type pg from 'pg';
import { Poller } from '../../util/poller';
import { quoteIdent } from './migrations';
import type { HeldLease } from './pg-lease';
import { preparedQuery } from './prepared';

export class Heartbeats {
  private hostId: string | undefined;
  // One beat at a time: a beat still waiting on the database when the next is due is not doubled.
  // A failed beat is not reported: an unreachable database shows in the runs' own statements.
  private readonly poller: Poller;

  /** `leases`: those this process holds, by sync key (`LeaseTable.leases`), read at every beat. */
  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    leaseSeconds: number,
    leases: ReadonlyMap<string, HeldLease>,
  ) {
    const s = quoteIdent(schema);
    // A lease that lapsed, or passed to another holder, stays as it is: only its holder renews it.
    const statement = `WITH leases AS (
        UPDATE ${s}.sync_leases l SET expires_at = now() + make_interval(secs => $3)
        FROM unnest($1::text[], $2::bigint[]) AS held(sync_key, token)
        WHERE l.sync_key = held.sync_key AND l.token = held.token AND l.expires_at > now() RETURNING 1)
      UPDATE ${s}.fleet_hosts SET heartbeat_at = now() WHERE host_id = $4`;
    this.poller = new Poller(
      (leaseSeconds * 1000) / 3,
      () => leases.size > 0 || this.hostId !== undefined,
      async () => void (await preparedQuery(pool, statement, [[...leases.keys()], [...leases.values()].map((l) => l.token), leaseSeconds, this.hostId ?? null])),
    );
  }

  /** Heartbeats the fleet host until the returned function is called. */
  beatForHost(hostId: string): () => void {
    this.hostId = hostId;
    return () => {
      if (this.hostId === hostId) this.hostId = undefined;
    };
  }

  close(): Promise<void> {
    this.poller.dispose();
    return this.pool.end();
  }
}
