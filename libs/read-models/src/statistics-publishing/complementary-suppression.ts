import type { Highs } from 'highs';

/**
 * Complementary (secondary) cell suppression over a system of published linear relations.
 *
 * A table is a vector of cells `x`; what it publishes obeys relations `Σ coefficient·x = 0`
 * (for example TOTAL − SW − BW − … = 0). Once some cells are withheld, a reader knows the other
 * cells and the relations, and can solve for the withheld ones. A withheld cell is *derivable*
 * when every solution of that linear system gives it the same value, that is when no direction
 * `d` with `A·d = 0`, zero on every published cell, moves it.
 *
 * `protect` finds the complementary cells: the fewest (ties: the smallest withheld total) by an
 * integer program solved with HiGHS within a time budget (`optimal`), or greedily when the budget
 * runs out (`heuristic`). Either way the result is checked exactly and every complementary cell
 * is necessary: publishing it alone would make some withheld cell derivable. Pure: no I/O.
 */

/** One published relation: the sum of `coefficient × cell` over its terms is zero. */
export type Relation = ReadonlyArray<readonly [cell: number, coefficient: number]>;

/**
 * Rank computations run modulo this prime (2^26 − 5), so products stay below 2^53 and every step
 * is exact in floating point. Relations with coefficients ±1 over table cells lose rank modulo P
 * only if P divides one of their minors, which does not happen at table sizes.
 */
const P = 67_108_859;

const mod = (a: number): number => ((a % P) + P) % P;

function inverse(a: number): number {
  // Fermat: a^(P−2) mod P, by square-and-multiply; each product stays below 2^52.
  let result = 1;
  let base = mod(a);
  for (let e = P - 2; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = (result * base) % P;
    base = (base * base) % P;
  }
  return result;
}

/**
 * How a reader computes withheld cells: the relations reduced to reduced row echelon form on the
 * withheld cells (sparsely, pivots among the withheld cells only), each row keeping the published
 * cells it combines. A row holding a single withheld cell computes that cell from the published
 * cells in it.
 */
function derivations(relations: readonly Relation[], withheld: ReadonlySet<number>, withSupport = true): Map<number, number[]> {
  /** pivot column → its reduced row (column → coefficient, pivot coefficient 1) */
  const pivots = new Map<number, Map<number, number>>();
  /** withheld column → pivot columns whose rows hold it */
  const holders = new Map<number, Set<number>>();
  const hold = (pivot: number, column: number) => {
    if (!withheld.has(column)) return;
    let set = holders.get(column);
    if (!set) holders.set(column, (set = new Set()));
    set.add(pivot);
  };
  const addTo = (row: Map<number, number>, k: number, delta: number) => {
    const value = mod((row.get(k) ?? 0) + delta);
    if (value === 0) row.delete(k);
    else row.set(k, value);
  };
  for (const relation of relations) {
    if (!relation.some(([cell]) => withheld.has(cell))) continue;
    const row = new Map<number, number>();
    // Without the support asked for, published cells are constants: leaving them out keeps rows short.
    for (const [cell, coefficient] of relation) if (withSupport || withheld.has(cell)) addTo(row, cell, coefficient);
    // Eliminate every pivot the row holds (pivot rows are reduced: no pivot column comes back).
    for (const [column, factor] of [...row]) {
      const pivotRow = pivots.get(column);
      if (!pivotRow || !row.has(column)) continue;
      for (const [k, v] of pivotRow) addTo(row, k, -factor * v);
    }
    // The new pivot: the withheld column held by the fewest reduced rows (least fill-in).
    let pivot = -1;
    let fewest = Infinity;
    for (const column of row.keys()) {
      if (!withheld.has(column)) continue;
      const n = holders.get(column)?.size ?? 0;
      if (n < fewest) [pivot, fewest] = [column, n];
    }
    if (pivot === -1) continue; // a relation among published cells only
    const scale = inverse(row.get(pivot)!);
    for (const [k, v] of row) row.set(k, (v * scale) % P);
    for (const other of [...(holders.get(pivot) ?? [])]) {
      const otherRow = pivots.get(other)!;
      const factor = otherRow.get(pivot)!;
      for (const [k, v] of row) {
        const had = otherRow.has(k);
        addTo(otherRow, k, -factor * v);
        if (!otherRow.has(k)) holders.get(k)?.delete(other);
        else if (!had) hold(other, k);
      }
    }
    holders.delete(pivot);
    pivots.set(pivot, row);
    for (const k of row.keys()) if (k !== pivot) hold(pivot, k);
  }
  const found = new Map<number, number[]>();
  for (const [pivot, row] of pivots) {
    const others = [...row.keys()].filter((k) => k !== pivot);
    if (others.every((k) => !withheld.has(k))) found.set(pivot, others);
  }
  return found;
}

/** The withheld cells a reader can compute from the published cells and the relations. */
export function derivableCells(relations: readonly Relation[], withheld: ReadonlySet<number>): number[] {
  return [...derivations(relations, withheld, false).keys()].sort((a, b) => a - b);
}

/** What to protect: the cells' values (by cell number), the relations a reader knows, the cells withheld for being small. */
export interface SuppressionProblem {
  values: readonly number[];
  relations: readonly Relation[];
  primary: readonly number[];
  /** the greedy fallback's preference: lower tiers (programme rows) are taken as complements first */
  tiers?: readonly number[];
}

export type SuppressionMethod = 'optimal' | 'heuristic';

export interface Protection {
  withheld: Set<number>;
  method: SuppressionMethod;
}

const isSafe = (relations: readonly Relation[], withheld: ReadonlySet<number>) => derivableCells(relations, withheld).length === 0;

/** Cells sharing a relation with each cell. */
function neighbourhoods(problem: SuppressionProblem): Map<number, Set<number>> {
  const around = new Map<number, Set<number>>();
  for (const relation of problem.relations) {
    for (const [cell] of relation) {
      let set = around.get(cell);
      if (!set) around.set(cell, (set = new Set()));
      for (const [other] of relation) if (other !== cell) set.add(other);
    }
  }
  return around;
}

/**
 * Publishes again every complementary cell that is not needed, largest first, until each one left
 * is necessary: publishing it alone would make a withheld cell derivable.
 */
export function withoutNeedlessCells(problem: SuppressionProblem, withheld: ReadonlySet<number>): Set<number> {
  const primary = new Set(problem.primary);
  const kept = new Set(withheld);
  const relationsOf = new Map<number, Relation[]>();
  for (const relation of problem.relations) for (const [cell] of relation) relationsOf.set(cell, [...(relationsOf.get(cell) ?? []), relation]);
  // Publishing a cell changes what can be computed only among the withheld cells linked to it
  // through relations: the check looks at that part alone.
  const safeWithout = (cell: number): boolean => {
    const part = new Set<number>();
    const relations = new Set<Relation>();
    const queue = [cell];
    while (queue.length > 0) {
      for (const relation of relationsOf.get(queue.pop()!) ?? []) {
        if (relations.has(relation)) continue;
        relations.add(relation);
        for (const [other] of relation) {
          if (!kept.has(other) || other === cell || part.has(other)) continue;
          part.add(other);
          queue.push(other);
        }
      }
    }
    return isSafe([...relations], part);
  };
  const order = [...withheld].filter((c) => !primary.has(c)).sort((a, b) => Math.abs(problem.values[b]) - Math.abs(problem.values[a]) || a - b);
  for (let changed = true; changed;) {
    changed = false;
    for (const cell of order) {
      if (!kept.has(cell) || !safeWithout(cell)) continue;
      kept.delete(cell);
      changed = true;
    }
  }
  return kept;
}

/**
 * The greedy fallback: while some primary cell is derivable, withhold for each such cell one
 * published cell sharing a relation with it (the lowest tier, then a non-zero one, then the
 * smallest; when every such cell is withheld, one next to any withheld cell). Then publish again
 * every complementary cell that is derivable (it tells the reader nothing new, and publishing it
 * changes nothing else) and every one that turned out needless.
 */
export function protectHeuristically(problem: SuppressionProblem): Set<number> {
  const primary = new Set(problem.primary);
  const withheld = new Set(problem.primary);
  const around = neighbourhoods(problem);
  const tier = (cell: number) => problem.tiers?.[cell] ?? 0;
  const size = (cell: number) => (problem.values[cell] === 0 ? Number.MAX_SAFE_INTEGER : Math.abs(problem.values[cell]));
  const cheapest = (cells: Iterable<number>): number => {
    let best = -1;
    for (const c of cells) if (!withheld.has(c) && (best === -1 || (tier(c) - tier(best) || size(c) - size(best) || c - best) < 0)) best = c;
    return best;
  };
  for (;;) {
    const exposed = derivableCells(problem.relations, withheld).filter((cell) => primary.has(cell));
    if (exposed.length === 0) break;
    let added = false;
    for (const cell of exposed) {
      const best = cheapest(around.get(cell) ?? []);
      if (best === -1) continue;
      withheld.add(best);
      added = true;
    }
    if (!added) {
      const best = cheapest([...withheld].flatMap((cell) => [...(around.get(cell) ?? [])]));
      if (best === -1) throw new Error(`cell ${exposed[0]} is fixed by the relations alone and cannot be protected`);
      withheld.add(best);
    }
  }
  for (const cell of derivableCells(problem.relations, withheld)) withheld.delete(cell);
  return withoutNeedlessCells(problem, withheld);
}

/**
 * The problem split into independent parts: cells connected through the relations, each part
 * holding a primary cell (the others need nothing). Solving them apart gives the same answer,
 * faster, whatever the order of the cells.
 */
function parts(problem: SuppressionProblem): SuppressionProblem[] {
  const around = neighbourhoods(problem);
  const partOf = new Map<number, number>();
  const found: number[][] = [];
  for (const start of problem.primary) {
    if (partOf.has(start)) continue;
    const cells = [start];
    partOf.set(start, found.length);
    for (let k = 0; k < cells.length; k++) {
      for (const other of around.get(cells[k]) ?? []) {
        if (partOf.has(other)) continue;
        partOf.set(other, found.length);
        cells.push(other);
      }
    }
    found.push(cells.sort((a, b) => a - b));
  }
  const relationsOf = found.map((): Relation[] => []);
  for (const relation of problem.relations) {
    const part = relation.length > 0 ? partOf.get(relation[0][0]) : undefined;
    if (part !== undefined) relationsOf[part].push(relation);
  }
  const primaryOf = found.map((): number[] => []);
  for (const cell of problem.primary) primaryOf[partOf.get(cell)!].push(cell);
  return found.map((_, i) => ({ ...problem, relations: relationsOf[i], primary: primaryOf[i] }));
}

function cellsOf(problem: SuppressionProblem): number[] {
  const cells = new Set(problem.primary);
  for (const relation of problem.relations) for (const [cell] of relation) cells.add(cell);
  return [...cells].sort((a, b) => a - b);
}

/**
 * The least suppression as an integer program, by row generation: minimise
 * Σ y_i·(1 + value_i / (1 + Σ values)) (the fewest cells, then the smallest total) over y_i ∈ {0, 1},
 * y = 1 on the primary cells, subject to cuts. When a withheld cell c is computable from published
 * cells T, every safe answer that withholds c withholds one of T as well: y_c ≤ Σ_{i∈T} y_i. Each
 * round solves the program with HiGHS, checks its answer exactly, and adds the cuts its
 * computable cells give, until an answer is safe: optimal, because every cut is valid. In an
 * optimal answer every complementary cell is necessary and none is computable (publishing it
 * would cost less). Returns null when the budget runs out.
 */
export function protectOptimally(problem: SuppressionProblem, highs: Highs, budgetMs: number): Set<number> | null {
  const deadline = Date.now() + budgetMs;
  const cells = cellsOf(problem);
  const index = new Map(cells.map((cell, i) => [cell, i]));
  const n = cells.length;
  const primary = new Set(problem.primary);
  const totalValue = cells.reduce((s, c) => s + Math.abs(problem.values[c]), 0) + 1;
  const colCost = Float64Array.from(cells, (cell) => 1 + Math.abs(problem.values[cell]) / totalValue);
  const colLower = Float64Array.from(cells, (cell) => (primary.has(cell) ? 1 : 0));
  const colUpper = new Float64Array(n).fill(1);
  const integrality = new Int32Array(n).fill(1);
  const cuts = new Map<string, [number, number[]]>();
  let withheld = new Set(problem.primary);
  for (;;) {
    const exposed = derivations(problem.relations, withheld);
    if (exposed.size === 0) return withheld;
    for (const [cell, support] of exposed) {
      const key = `${cell}:${[...support].sort((a, b) => a - b).join(',')}`;
      cuts.set(key, [cell, support]);
    }
    const left = deadline - Date.now();
    if (left <= 0) return null;
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const [cell, support] of cuts.values()) {
      for (const other of support) {
        indices.push(index.get(other)!);
        values.push(1);
      }
      indices.push(index.get(cell)!);
      values.push(-1);
      starts.push(indices.length);
    }
    const numRows = cuts.size;
    const model = highs.createModel({
      numCols: n,
      numRows,
      colCost,
      colLower,
      colUpper,
      rowLower: new Float64Array(numRows),
      rowUpper: new Float64Array(numRows).fill(highs.infinity),
      matrix: { format: 'csr', numRows, numCols: n, starts: Int32Array.from(starts), indices: Int32Array.from(indices), values: Float64Array.from(values) },
      integrality: integrality as unknown as Int32Array,
    });
    try {
      // Feasibility jump costs a fixed ~0.1–0.4 s in the WebAssembly build; these covers need none.
      model.options.set({ output_flag: false, time_limit: left / 1000, mip_heuristic_run_feasibility_jump: false });
      model.run();
      if (model.getModelStatus() !== highs.constants.modelStatus.optimal) return null;
      const solution = model.getSolution().colValue;
      withheld = new Set(cells.filter((_, i) => solution[i] > 0.5));
    } finally {
      model.dispose();
    }
  }
}

/** Parts larger than this go to the heuristic at once: their integer program would not finish in any budget worth waiting for. */
export const MAX_EXACT_CELLS = 4_000;

/** The cells to withhold: `primary` and the least complement the budget allows (see the module comment). */
export function protect(problem: SuppressionProblem, highs: Highs | null, budgetMs: number): Protection {
  const deadline = Date.now() + budgetMs;
  const withheld = new Set<number>();
  let method: SuppressionMethod = 'optimal';
  for (const part of parts(problem)) {
    const left = deadline - Date.now();
    const exact = highs && left > 0 && cellsOf(part).length <= MAX_EXACT_CELLS ? protectOptimally(part, highs, left) : null;
    if (!exact) method = 'heuristic';
    for (const cell of exact ?? protectHeuristically(part)) withheld.add(cell);
  }
  return { withheld, method };
}
