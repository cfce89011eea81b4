// GET routes that extensions add to the health endpoint's listener (one port for everything local).
export interface RouteAnswer {
  status: number;
  contentType: string;
  body: string;
}

export type RouteHandler = () => Promise<RouteAnswer> | RouteAnswer;

export class HttpRoutes {
  readonly #routes = new Map<string, RouteHandler>();

  /** adds a GET route; a path already taken is refused (two extensions must not shadow each other) */
  add(path: string, handler: RouteHandler): void {
    if (this.#routes.has(path)) throw new RangeError(`route ${path} is already served`);
    this.#routes.set(path, handler);
  }

  remove(path: string): void {
    this.#routes.delete(path);
  }

  get(path: string): RouteHandler | undefined {
    return this.#routes.get(path);
  }

  paths(): string[] {
    return [...this.#routes.keys()];
  }
}
