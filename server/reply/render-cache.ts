import { LRUCache } from "lru-cache";

/** Options of {@link RenderCache}. */
export interface RenderCacheOptions {
  /** Most entries kept (default 200). */
  maxEntries?: number;
  /** Most bytes (string length or buffer size) kept in all (default 32 MB). */
  maxBytes?: number;
}

/**
 * A small in-process cache of rendered replies (charts, pages) keyed by their entity tag: a repeated request
 * for the same tag costs no rendering. Least recently used entries go first; concurrent requests for one tag
 * share one rendering.
 */
export class RenderCache<V extends string | Uint8Array> {
  private readonly cache: LRUCache<string, V>;
  private readonly pending = new Map<string, Promise<V>>();

  constructor(options: RenderCacheOptions = {}) {
    const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.cache = new LRUCache<string, V>({
      max: options.maxEntries ?? 200,
      maxSize: maxBytes,
      sizeCalculation: (value) => Math.max(1, value.length),
      maxEntrySize: maxBytes,
    });
  }

  /** The cached value for `tag`, or what `render` gives (then kept). */
  async get(tag: string, render: () => V | Promise<V>): Promise<V> {
    const hit = this.cache.get(tag);
    if (hit !== undefined) return hit;
    const running = this.pending.get(tag);
    if (running) return running;
    const rendering = Promise.resolve()
      .then(render)
      .then((value) => {
        this.cache.set(tag, value);
        return value;
      })
      .finally(() => this.pending.delete(tag));
    this.pending.set(tag, rendering);
    return rendering;
  }

  /** Entries kept now. */
  get size(): number {
    return this.cache.size;
  }
}
