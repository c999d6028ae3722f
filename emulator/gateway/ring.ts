// Fixed-capacity FIFO for a session's replay buffer: O(1) push with the oldest entry evicted when full,
// so a busy session never shifts a large array.
export class Ring<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#items = new Array<T | undefined>(Math.max(1, capacity));
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    const capacity = this.#items.length;
    if (this.#size < capacity) {
      this.#items[(this.#start + this.#size) % capacity] = item;
      this.#size++;
    } else {
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % capacity;
    }
  }

  first(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#start];
  }

  *[Symbol.iterator](): Iterator<T> {
    const capacity = this.#items.length;
    for (let i = 0; i < this.#size; i++) yield this.#items[(this.#start + i) % capacity] as T;
  }
}
