// Login attempts per client address: at most `max` failures in `windowMs`; further attempts are
// refused (429 with Retry-After) until the oldest failure leaves the window. A success clears the count.
export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  constructor(private readonly max = 5, private readonly windowMs = 60_000, private readonly now: () => number = Date.now) {}

  /** ms until the next attempt is allowed (0 = now). */
  retryAfterMs(key: string): number {
    const list = this.#recent(key);
    if (list.length < this.max) return 0;
    return list[0] + this.windowMs - this.now();
  }

  failed(key: string): void {
    const list = this.#recent(key);
    list.push(this.now());
    this.#failures.set(key, list);
    if (this.#failures.size > 10_000) this.#failures.delete(this.#failures.keys().next().value as string);
  }

  succeeded(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string): number[] {
    const t = this.now();
    return (this.#failures.get(key) ?? []).filter((ms) => t - ms < this.windowMs);
  }
}
