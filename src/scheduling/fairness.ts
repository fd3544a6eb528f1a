// Fairness across namespaces (tenants) among jobs of equal effective priority.
import { MinHeap } from "./heap.js";

/**
 * Orders one band of equal effective priority across namespaces.
 *
 * Rule: the next job always comes from the namespace that has the fewest jobs in flight, as
 * reported by `inFlight(ns)` at the moment of choosing (the caller counts Assigned+Running jobs
 * before the cycle plus those it has placed so far in it); ties go to the namespace whose name sorts
 * first. Within a namespace the band's order is kept (the caller passes oldest first).
 *
 * Consequences: namespaces with equal demand and equal in-flight are served round-robin, so their
 * placed counts differ by at most one job at every point of the cycle; a namespace that already has
 * more work in flight waits until the others catch up (least-in-flight first, which is max-min
 * fairness with unit demands). A job that cannot be placed does not count, so a namespace whose
 * agents are full does not hold back the others.
 *
 * It is a generator so that the caller can place each yielded job and update `inFlight` before the
 * next choice is made.
 */
export function* fairOrder<T>(
  band: readonly T[],
  namespaceOf: (item: T) => string,
  inFlight: (namespace: string) => number,
): Generator<T, void, undefined> {
  const byNamespace = new Map<string, T[]>();
  for (const item of band) {
    const ns = namespaceOf(item);
    const list = byNamespace.get(ns);
    if (list === undefined) byNamespace.set(ns, [item]);
    else list.push(item);
  }
  if (byNamespace.size === 1) {
    yield* band;
    return;
  }
  // One mutable turn per namespace, re-keyed and pushed back after each of its jobs.
  interface Turn {
    readonly namespace: string;
    readonly items: readonly T[];
    share: number;
    next: number;
  }
  const heap = new MinHeap<Turn>((a, b) =>
    a.share !== b.share ? a.share < b.share : a.namespace < b.namespace,
  );
  for (const [namespace, items] of byNamespace) heap.push({ namespace, items, share: inFlight(namespace), next: 0 });
  for (let turn = heap.pop(); turn !== undefined; turn = heap.pop()) {
    yield turn.items[turn.next] as T;
    turn.next += 1;
    if (turn.next < turn.items.length) {
      // Only this namespace's count can have changed since the others were keyed.
      turn.share = inFlight(turn.namespace);
      heap.push(turn);
    }
  }
}
