/**
 * The top-level members of the object last scanned into it, as offsets into that text (duplicate
 * keys included, in text order). Reused from one scan to the next so checking a row allocates
 * nothing per member.
 */
export class JsonMembers {
  private spans = new Int32Array(5 * 32);
  private text = '';
  count = 0;

  /** Starts over for `text`. */
  reset(text: string): void {
    this.text = text;
    this.count = 0;
  }

  add(keyStart: number, keyEnd: number, escaped: boolean, valueStart: number, valueEnd: number): void {
    let at = this.count * 5;
    if (at + 5 > this.spans.length) {
      const grown = new Int32Array(this.spans.length * 2);
      grown.set(this.spans);
      this.spans = grown;
    }
    const s = this.spans;
    s[at++] = keyStart;
    s[at++] = keyEnd;
    s[at++] = escaped ? 1 : 0;
    s[at++] = valueStart;
    s[at] = valueEnd;
    this.count++;
  }

  /** The text last scanned; the offsets below point into it. */
  get source(): string {
    return this.text;
  }

  /** Where member `i`'s key starts and ends inside its quotes, and where its value starts and ends. */
  keyStart(i: number): number {
    return this.spans[i * 5] ?? 0;
  }

  keyEnd(i: number): number {
    return this.spans[i * 5 + 1] ?? 0;
  }

  valueStart(i: number): number {
    return this.spans[i * 5 + 3] ?? 0;
  }

  valueEnd(i: number): number {
    return this.spans[i * 5 + 4] ?? 0;
  }

  /** The decoded key of member `i`. */
  key(i: number): string {
    const s = this.spans;
    const start = s[i * 5] ?? 0;
    const end = s[i * 5 + 1] ?? 0;
    // Escapes are rare in keys; JSON.parse decodes them exactly as it would the whole text.
    return s[i * 5 + 2] === 1 ? (JSON.parse(this.text.slice(start - 1, end + 1)) as string) : this.text.slice(start, end);
  }

  /** Whether member `i`'s key is `name`, without building the key. */
  keyIs(i: number, name: string): boolean {
    const s = this.spans;
    const start = s[i * 5] ?? 0;
    const end = s[i * 5 + 1] ?? 0;
    if (s[i * 5 + 2] === 1) return this.key(i) === name;
    return end - start === name.length && this.text.startsWith(name, start);
  }

  /** Index of the member named `name` that JSON.parse would keep (the last one), or -1. */
  find(name: string): number {
    for (let i = this.count - 1; i >= 0; i--) if (this.keyIs(i, name)) return i;
    return -1;
  }

  /** The raw JSON text of member `i`'s value. */
  valueText(i: number): string {
    return this.text.slice(this.spans[i * 5 + 3] ?? 0, this.spans[i * 5 + 4] ?? 0);
  }

  /** Member `i`'s value, parsed (for the few values a check needs to look at). */
  value(i: number): unknown {
    return JSON.parse(this.valueText(i));
  }

  /** How many distinct keys there are (what `Object.keys(JSON.parse(text)).length` says). */
  distinctKeys(): number {
    const seen = new Set<string>();
    for (let i = 0; i < this.count; i++) seen.add(this.key(i));
    return seen.size;
  }
}
