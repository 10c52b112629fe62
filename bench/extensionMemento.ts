import type { MementoLike } from '../src/core/store/RecordStore';

/**
 * globalState as one extension host holds it (VS Code's
 * `src/vs/workbench/api/common/extHostMemento.ts`): `get` returns the stored
 * value itself, no copy; `update` sets it and, on the next turn, hands the
 * whole object to storage, which serialises it. The benchmark measures the
 * product, so its memento costs what the editor's does (MemoryMemento, the
 * tests' double, copies on every get, which the editor never does).
 */
export class ExtensionHostMemento implements MementoLike {
  private readonly values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  private waiting: (() => void)[] = [];
  /** The last whole object "written to storage" (kept so the serialisation is not optimised away). */
  stored = '';

  keys(): readonly string[] {
    return Object.keys(this.values);
  }

  get<T>(key: string): T | undefined {
    return this.values[key] as T | undefined;
  }

  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) delete this.values[key];
    else this.values[key] = value;
    return new Promise((resolve) => {
      if (this.waiting.push(resolve) > 1) return;
      setTimeout(() => {
        this.stored = JSON.stringify(this.values);
        for (const done of this.waiting.splice(0)) done();
      }, 0);
    });
  }
}
