/**
 * What semantic rules see. Rules are pure functions from these views to problems; each emits only
 * its own stable codes and says nothing when a fact is unknowable. Spans in views are local to
 * their segment: sync and header rules report local spans (they are memoised with the segment),
 * file rules convert with `absSpan(view.segment, span)`.
 */
import type { Node, Pair } from 'yaml';
import type { TableName, TableNameResult } from '../model/table-name';
import type { Span } from '../parse/nodes';
import type { Segment } from '../parse/segments';
import type { SyncFileDocument } from '../parse/sync-document';
import type { StateLookup } from '../state/sync-state';

/** A field of a mapping: its pair, its key and value spans (segment-local) and its JS value. */
export interface Field {
  pair: Pair<Node, Node | null>;
  key: Span;
  value: Span;
  /** The plain JS value. */
  js: unknown;
}

/** The string values of a sync that cross-sync rules compare, extracted once per sync text. */
export interface SyncFacts {
  connection: string | undefined;
  status: string | undefined;
  dataType: string | undefined;
  /** The parsed `table`, when it is valid. */
  table: TableName | undefined;
  /** The parse of `table` when it is text, valid or not (`checkTable` reports it; parsed once per sync text). */
  tableParse: TableNameResult | undefined;
}

/** One sync as rules see it. */
export interface SyncView {
  name: string;
  segment: Segment;
  nameSpan: Span;
  fields: ReadonlyMap<string, Field>;
  facts: SyncFacts;
}

export interface HeaderView {
  segment: Segment;
  /** The `braze` key, when present. */
  brazeKey?: Span;
  /** Fields of `braze`, when it is a mapping. */
  braze?: ReadonlyMap<string, Field>;
  /** Fields of `notifications.smtp`, when it is a mapping. */
  smtp?: ReadonlyMap<string, Field>;
  /** The `smtp` key, when present. */
  smtpKey?: Span;
  /** Fields of `state`, when it is a mapping. */
  state?: ReadonlyMap<string, Field>;
  /** Connections by name, when `connections` is a mapping. */
  connections?: ReadonlyMap<string, { nameSpan: Span; fields: ReadonlyMap<string, Field> }>;
}

export interface FileContext {
  doc: SyncFileDocument;
  header: HeaderView;
  syncs: readonly SyncView[];
  state?: StateLookup;
  /** True when any state is recorded for the file, so a missing record means "never happened". */
  stateKnown?: boolean;
}
