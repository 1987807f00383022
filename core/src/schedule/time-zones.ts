/**
 * IANA time zone names for validation, completions and "did you mean". Intl is the source of
 * truth for what the runtime (and so croner) can compute with.
 */
import { closest } from '../util/closest';

/**
 * Current IANA names that Node 20's ICU still lists only under their former spelling
 * (Asia/Calcutta, Europe/Kiev, …). Intl accepts them; without this list completions would offer
 * only the old names. Newer runtimes that list them already are deduplicated.
 */
const RENAMED_ZONES = [
  'Africa/Asmara', 'America/Argentina/Buenos_Aires', 'America/Argentina/Catamarca', 'America/Argentina/Cordoba',
  'America/Argentina/Jujuy', 'America/Argentina/Mendoza', 'America/Atikokan', 'America/Indiana/Indianapolis',
  'America/Kentucky/Louisville', 'America/Nuuk', 'Asia/Ho_Chi_Minh', 'Asia/Kathmandu', 'Asia/Kolkata', 'Asia/Yangon',
  'Atlantic/Faroe', 'Europe/Kyiv', 'Pacific/Chuuk', 'Pacific/Kanton', 'Pacific/Pohnpei',
];

/** Answers of `isKnownToIntl` (a DateTimeFormat costs ~0.3 ms); files name few zones, the bound is for safety. */
const knownToIntl = new Map<string, boolean>();

/** True when Intl can compute with the zone (it ignores case and knows legacy links like US/Eastern). */
export function isKnownToIntl(timeZone: string): boolean {
  let known = knownToIntl.get(timeZone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
      known = true;
    } catch {
      known = false;
    }
    if (knownToIntl.size >= 1_000) knownToIntl.clear();
    knownToIntl.set(timeZone, known);
  }
  return known;
}

let zones: readonly string[] | undefined;
let byLowerCase: ReadonlyMap<string, string> | undefined;

/** Every zone name to offer in completions, sorted, including `UTC` (which Intl does not list). */
export function listTimeZones(): readonly string[] {
  zones ??= [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone'), ...RENAMED_ZONES.filter(isKnownToIntl)])].sort();
  return zones;
}

function zoneByLowerCase(): ReadonlyMap<string, string> {
  byLowerCase ??= new Map(listTimeZones().map((z) => [z.toLowerCase(), z]));
  return byLowerCase;
}

/**
 * A zone the runtime knows, spelled as IANA spells it. Intl would accept `europe/paris`, but
 * tz names are case-sensitive elsewhere (zoneinfo files, other tools), so a mis-cased listed
 * name is reported with its correct spelling instead.
 */
export function isValidTimeZone(timeZone: string): boolean {
  const listed = zoneByLowerCase().get(timeZone.toLowerCase());
  return listed !== undefined ? listed === timeZone : isKnownToIntl(timeZone);
}

/**
 * The zone the user probably meant: the right case (`america/new_york`), a bare city (`Paris`,
 * `New York`) or a near miss (`Europe/Pari`). Undefined when nothing is close.
 */
export function suggestTimeZone(bad: string): string | undefined {
  if (suggested.has(bad)) return suggested.get(bad);
  const suggestion = nearestZone(bad);
  if (suggested.size >= 1_000) suggested.clear();
  suggested.set(bad, suggestion);
  return suggestion;
}

/** Suggestions made (each compares with ~600 zones; a workspace's files tend to share one typo). */
const suggested = new Map<string, string | undefined>();

function nearestZone(bad: string): string | undefined {
  const key = bad.trim().replace(/\s+/g, '_').toLowerCase();
  if (!key) return undefined;
  const exact = zoneByLowerCase().get(key);
  if (exact) return exact;
  const all = listTimeZones();
  const pool = key.includes('/') ? all : all.map((z) => z.slice(z.lastIndexOf('/') + 1));
  const hit = closest(key, pool);
  return hit === undefined ? undefined : all[pool.indexOf(hit)];
}
