import { SvelteSet } from 'svelte/reactivity';

/**
 * Which nodes of a tree are folded. Everything starts unfolded: a tree is opened to be read,
 * and new nodes (a task that just planned its own tasks) appear open too.
 */
export class TreeExpansion {
  readonly #collapsed = new SvelteSet<string>();

  isExpanded(path: string): boolean {
    return !this.#collapsed.has(path);
  }

  toggle(path: string): void {
    if (this.#collapsed.has(path)) this.#collapsed.delete(path);
    else this.#collapsed.add(path);
  }

  collapseAll(paths: readonly string[]): void {
    for (const path of paths) this.#collapsed.add(path);
  }

  expandAll(): void {
    this.#collapsed.clear();
  }

  get collapsedCount(): number {
    return this.#collapsed.size;
  }
}
