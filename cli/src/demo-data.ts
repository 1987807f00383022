/** Sample rows for the demo: the README's attributes table, with a few identifier kinds. */
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Dennis'];
const CITIES = ['Paris', 'Lisbon', 'Boston', 'Osaka', 'Nairobi', 'Lima', 'Oslo', 'Pune'];

export interface DemoRow {
  external_id: string | null;
  alias_name: string | null;
  alias_label: string | null;
  email: string | null;
  payload: string;
}

export function demoRows(start: number, count: number): DemoRow[] {
  const rows: DemoRow[] = [];
  for (let i = start; i < start + count; i++) {
    const name = FIRST[i % FIRST.length] ?? 'Ada';
    const payload = JSON.stringify({ first_name: name, home_city: CITIES[i % CITIES.length], loyalty_points: (i * 37) % 1000, vip: i % 10 === 0 });
    const kind = i % 20;
    rows.push({
      external_id: kind < 17 ? `user-${String(i).padStart(5, '0')}` : null,
      alias_name: kind === 17 || kind === 18 ? `anon-${i}` : null,
      alias_label: kind === 17 || kind === 18 ? 'web_visitor' : null,
      email: kind === 19 ? `${name.toLowerCase()}.${i}@example.com` : null,
      payload,
    });
  }
  return rows;
}
