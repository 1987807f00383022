/**
 * A run's diffing, set up before reading: for a `send: changed` sync (custom attributes or catalog
 * items) its diff store, lined up
 * with the watermark (diff/open-diff.ts); for a `send: all` sync, the hashes an earlier
 * `send: changed` left are dropped (they would go stale); for a user_deletes sync, the stores
 * whose hashes its deletes must forget. What it decides is said in the run's warnings.
 */
import { diffFingerprint, openDiffStore } from '../diff/open-diff';
import { DiffSession } from '../diff/diff-session';
import type { DiffStore, DiffStoreFactory } from '../diff/diff-store';
import { itemKey } from '../diff/hashing';
import { DEFAULT_SEND_MODE, isDiffable, type SyncDefinition, type SyncFile } from '../model/sync-file';
import { parseResendEvery } from '../model/timestamps';
import type { RunRecord } from '../state/run-record';
import type { SyncStateStore } from '../state/state-store';
import type { SyncState } from '../state/sync-state';
import type { Clock } from './ports';
import { SendPlan, type ForgetUsers } from './send-plan';
import { errorMessage } from './sync-errors';

export interface DiffPorts {
  /** This sync's diff store. */
  diffStore?: DiffStoreFactory;
  /** user_deletes: the diff stores of the syncs whose profiles its deletes remove. */
  peerDiffStores?: readonly DiffStoreFactory[];
}

export interface DiffSetup {
  plan: SendPlan;
  close(): Promise<void>;
}

const MINUTE_MICROS = 60_000_000;

export async function setUpDiff(ports: DiffPorts, file: SyncFile, sync: SyncDefinition, state: SyncState, store: SyncStateStore, run: RunRecord, clock: Clock): Promise<DiffSetup> {
  const mode = sync.send ?? DEFAULT_SEND_MODE;
  if (sync.data_type === 'user_deletes') return forgetting(ports.peerDiffStores ?? [], run);
  const factory = ports.diffStore;
  const plain: DiffSetup = { plan: new SendPlan(run, undefined, undefined), close: async () => undefined };
  if (!factory || !isDiffable(sync.data_type)) return plain;
  if (mode === 'all') {
    if (await factory.exists()) {
      await factory.discard();
      delete state.diff_seq;
      await store.writeState(state);
      run.warnings.push('send: all: the hashes recorded under send: changed were dropped (they would go stale while every attribute is sent); switching back starts with a full send.');
    }
    return plain;
  }
  let opened: { store: DiffStore; notice?: string };
  try {
    opened = await openDiffStore(factory, fingerprintOf(file, sync), state.diff_seq ?? 0, state.diff_stale === true);
  } catch (err) {
    // Sending everything unrecorded makes the hashes stale: whichever run opens the store next forgets them.
    state.diff_stale = true;
    await store.writeState(state);
    run.warnings.push(`send: changed: the diff store at ${factory.location} could not be opened (${errorMessage(err)}); this run sends every attribute, and the next run that can open it starts over.`);
    return plain;
  }
  if (state.diff_stale) {
    delete state.diff_stale;
    await store.writeState(state);
  }
  if (opened.notice) run.warnings.push(`send: changed: ${opened.notice}`);
  const nowMinutes = () => Math.floor(clock.now().getTime() / 60_000);
  const session = new DiffSession(opened.store, {
    nowMinutes,
    items: sync.data_type === 'catalog_items',
    ...(sync.resend_every ? { resendEveryMinutes: Math.max(1, Math.round(parseResendEvery(sync.resend_every) / MINUTE_MICROS)) } : {}),
  });
  return { plan: new SendPlan(run, session, undefined), close: () => opened.store.close() };
}

/** What the definition's hashes are valid for (diff/open-diff.ts). */
export function fingerprintOf(file: SyncFile, sync: SyncDefinition): string {
  const conn = file.connections[sync.connection];
  return diffFingerprint({
    braze: file.braze.endpoint ?? file.braze.instance ?? '',
    source: conn ? `${conn.host}:${conn.port ?? ''}/${conn.database}` : sync.connection,
    table: sync.table,
    dataType: sync.data_type,
    send: sync.send ?? DEFAULT_SEND_MODE,
  });
}

/** The peers' stores that exist, opened for forgetting; one that can't be opened is a warning. */
async function forgetting(peers: readonly DiffStoreFactory[], run: RunRecord): Promise<DiffSetup> {
  const stores: DiffStore[] = [];
  for (const peer of peers) {
    if (!(await peer.exists())) continue;
    try {
      stores.push(await peer.open());
    } catch (err) {
      run.warnings.push(`The diff store at ${peer.location} could not be opened to forget deleted users (${errorMessage(err)}); run \`brazesync diff reset\` for its sync so deleted users re-created later get every attribute.`);
    }
  }
  const forget: ForgetUsers | undefined =
    stores.length === 0
      ? undefined
      : async (identities) => {
          const keys = identities.map(itemKey);
          await Promise.all(stores.map((s) => s.forget(keys)));
        };
  return {
    plan: new SendPlan(run, undefined, forget),
    async close() {
      await Promise.all(stores.map((s) => s.close()));
    },
  };
}
