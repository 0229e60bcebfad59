// Deterministic randomness: the same seed gives the same fleet, byte for byte.
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** mulberry32: a small, fast generator with a full 32-bit period; plenty for simulation. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((n, [, w]) => n + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }
  hex(length: number): string {
    let s = "";
    while (s.length < length)
      s += Math.floor(this.next() * 0x100000000)
        .toString(16)
        .padStart(8, "0");
    return s.slice(0, length);
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  /** Lowercase alphanumerics like Kubernetes' generated name suffixes. */
  suffix(length: number): string {
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    let s = "";
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
  /** A log-normal sample around `median` (for pull durations). */
  logNormal(median: number, sigma: number): number {
    const u1 = Math.max(this.next(), 1e-12);
    const u2 = this.next();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return median * Math.exp(sigma * z);
  }

  /** A Poisson-distributed count (Knuth's method; lambda is capped at 500). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    let k = 0;
    let p = 1;
    const l = Math.exp(-Math.min(lambda, 500));
    do {
      k++;
      p *= this.next();
    } while (p > l);
    return k - 1;
  }
}
