import type { Highs } from 'highs';
import { BlockSystem, derivableCells, echelon, republishing, type BlockOf, type Relation } from './linear-system.js';
import { protectByGroup } from './group-protection.js';

export { derivableCells, type Relation } from './linear-system.js';

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

/** What to protect: the cells' values (by cell number), the relations a reader knows, the cells withheld for being small. */
export interface SuppressionProblem {
  values: readonly number[];
  relations: readonly Relation[];
  primary: readonly number[];
  /** the greedy fallback's preference: lower tiers (programme rows) are taken as complements first */
  tiers?: readonly number[];
  /** the group (block) of each cell, when the table is split in groups tied only by sums: checks solve each group on its own (linear-system.ts) */
  blocks?: readonly number[];
  /**
   * With `blocks`, when the blocks are the groups of a table by group: each cell's place (the same
   * for the same figure of the same row name in every group) and the block of group ALL. The
   * heuristic then starts from a protection built group by group (group-protection.ts).
   */
  groups?: { places: readonly number[]; all: number };
}

export type SuppressionMethod = 'optimal' | 'heuristic';

export interface Protection {
  withheld: Set<number>;
  method: SuppressionMethod;
}

const blockOf = (problem: SuppressionProblem): BlockOf => {
  const blocks = problem.blocks;
  return blocks ? (cell) => blocks[cell] : () => 0;
};

/** The derivable cells of `withheld`, and for a table in blocks the block system that found them (see withoutNeedlessCells). */
function derivableIn(problem: SuppressionProblem, withheld: ReadonlySet<number>): { derivable: number[]; system?: BlockSystem } {
  if (!problem.blocks) return { derivable: derivableCells(problem.relations, withheld) };
  const system = new BlockSystem(problem.relations, new Set(withheld), blockOf(problem));
  return { derivable: system.derivable(), system };
}

/** The relations each cell is in. */
function relationsByCell(relations: readonly Relation[]): Map<number, Relation[]> {
  const of = new Map<number, Relation[]>();
  for (const relation of relations)
    for (const [cell] of relation) {
      const list = of.get(cell);
      if (list) list.push(relation);
      else of.set(cell, [relation]);
    }
  return of;
}

/**
 * Publishes again every complementary cell that is not needed, largest first, until each one left
 * is necessary: publishing it alone would make a withheld cell derivable. `system`: the block
 * system of `withheld` when the caller has one (it is changed as cells are published). `needed`:
 * complements the caller knows to be necessary while the withheld cells of their group stay as
 * they are (see protectHeuristically); they are not asked about.
 */
export function withoutNeedlessCells(
  problem: SuppressionProblem,
  withheld: ReadonlySet<number>,
  system?: BlockSystem,
  needed?: ReadonlySet<number>,
): Set<number> {
  const primary = new Set(problem.primary);
  const kept = new Set(withheld);
  const order = [...withheld]
    .filter((c) => !primary.has(c) && !needed?.has(c))
    .sort((a, b) => Math.abs(problem.values[b]) - Math.abs(problem.values[a]) || a - b);
  const block = problem.blocks ? blockOf(problem) : undefined;
  const check = republishing(problem.relations, kept, block && { blockOf: block, changing: new Set(order.map(block)), system });
  for (let changed = true; changed;) {
    changed = false;
    for (const cell of order) {
      if (!kept.has(cell) || !check.safeWithout(cell)) continue;
      check.publish(cell);
      kept.delete(cell);
      changed = true;
    }
  }
  return kept;
}

/** Rounds of the greedy fallback that complement derivable primary cells only. */
const PRIMARY_ROUNDS = 4;

/**
 * The greedy fallback: while some primary cell is derivable, withhold for each such cell one
 * published cell of every relation in which it is the only withheld cell, or when there is none,
 * one published cell sharing a relation with it (the lowest tier, then a non-zero one, then the
 * smallest; when every such cell is withheld, one next to any withheld cell). After
 * PRIMARY_ROUNDS rounds, derivable complements are complemented the same way. Then publish again
 * every complementary cell that is derivable (it tells the reader nothing new, and publishing it
 * changes nothing else) and every one that turned out needless. `start`: complements to begin with;
 * `needed`: complements of `start` necessary as long as their group withholds what it does now
 * (a group settled on its own, group-protection.ts), which the caller checks afterwards.
 */
export function protectHeuristically(problem: SuppressionProblem, start: Iterable<number> = [], needed?: ReadonlySet<number>): Set<number> {
  const primary = new Set(problem.primary);
  const withheld = new Set([...problem.primary, ...start]);
  const tier = (cell: number) => problem.tiers?.[cell] ?? 0;
  const size = (cell: number) => (problem.values[cell] === 0 ? Number.MAX_SAFE_INTEGER : Math.abs(problem.values[cell]));
  const cheaper = (a: number, b: number) => tier(a) - tier(b) || size(a) - size(b) || a - b;
  // Made when a complement is first looked for (a good `start` may need none).
  let relationsOf: Map<number, Relation[]> | undefined;
  // Each relation's cells cheapest first: the cheapest published one is found near the front.
  let byCost: Map<Relation, number[]> | undefined;
  const relationsOfCell = (cell: number) => (relationsOf ??= relationsByCell(problem.relations)).get(cell) ?? [];
  const cheapestIn = (relation: Relation) => (byCost ??= new Map(problem.relations.map((r) => [r, r.map(([c]) => c).sort(cheaper)]))).get(relation)!;
  /** The cheapest published cell sharing a relation with one of `cells`, or -1. */
  const cheapestNext = (cells: Iterable<number>): number => {
    let best = -1;
    for (const cell of cells)
      for (const relation of relationsOfCell(cell)) {
        const c = cheapestIn(relation).find((other) => other !== cell && !withheld.has(other));
        if (c !== undefined && (best === -1 || cheaper(c, best) < 0)) best = c;
      }
    return best;
  };
  let round = 0;
  let derivable: number[];
  let system: BlockSystem | undefined;
  for (;;) {
    ({ derivable, system } = derivableIn(problem, withheld));
    if (!derivable.some((cell) => primary.has(cell))) break;
    // After a few rounds a derivable complement gets a complement of its own as well: in a large
    // table otherwise each round moves one step along a column of hundreds of groups.
    const exposed = ++round > PRIMARY_ROUNDS ? derivable : derivable.filter((cell) => primary.has(cell));
    let added = false;
    for (const cell of exposed) {
      // A relation in which the cell is the only one withheld gives it away on its own: each such
      // relation needs a complement, whatever else is chosen.
      const alone = relationsOfCell(cell).filter((relation) => relation.every(([c]) => c === cell || !withheld.has(c)));
      const picks = alone.length > 0 ? alone.map((relation) => cheapestIn(relation).find((c) => c !== cell)) : [cheapestNext([cell])];
      for (const best of picks) {
        if (best === undefined || best === -1 || withheld.has(best)) continue;
        withheld.add(best);
        added = true;
      }
    }
    if (!added) {
      const best = cheapestNext([...withheld]);
      if (best === -1) throw new Error(`cell ${exposed[0]} is fixed by the relations alone and cannot be protected`);
      withheld.add(best);
    }
  }
  for (const cell of derivable) {
    withheld.delete(cell);
    system?.set(cell, false);
  }
  return withoutNeedlessCells(problem, withheld, system, needed);
}

/**
 * The problem split into independent parts: cells connected through the relations, each part
 * holding a primary cell (the others need nothing). Solving them apart gives the same answer,
 * faster, whatever the order of the cells.
 */
function parts(problem: SuppressionProblem): SuppressionProblem[] {
  // Union–find over the cells (numbered from 0): a relation joins all its cells.
  let cells = problem.values.length;
  for (const relation of problem.relations) for (const [cell] of relation) cells = Math.max(cells, cell + 1);
  for (const cell of problem.primary) cells = Math.max(cells, cell + 1);
  const parent = Int32Array.from({ length: cells }, (_, cell) => cell);
  const root = (cell: number): number => {
    let r = cell;
    while (parent[r] !== r) r = parent[r];
    for (let c = cell; c !== r;) {
      const next = parent[c];
      parent[c] = r;
      c = next;
    }
    return r;
  };
  for (const relation of problem.relations) {
    if (relation.length === 0) continue;
    const first = root(relation[0][0]);
    for (const [cell] of relation) {
      const r = root(cell);
      if (r !== first) parent[r] = first;
    }
  }
  const partOfRoot = new Map<number, number>();
  for (const cell of problem.primary) if (!partOfRoot.has(root(cell))) partOfRoot.set(root(cell), partOfRoot.size);
  const relationsOf = [...partOfRoot.keys()].map((): Relation[] => []);
  for (const relation of problem.relations) {
    const part = relation.length > 0 ? partOfRoot.get(root(relation[0][0])) : undefined;
    if (part !== undefined) relationsOf[part].push(relation);
  }
  const primaryOf = relationsOf.map((): number[] => []);
  for (const cell of problem.primary) primaryOf[partOfRoot.get(root(cell))!].push(cell);
  return relationsOf.map((relations, i) => ({ ...problem, relations, primary: primaryOf[i] }));
}

/** Withheld cells a reader computes, each with the published cells it is computed from. */
function cutsFor(relations: readonly Relation[], withheld: ReadonlySet<number>): Map<number, number[]> {
  const found = new Map<number, number[]>();
  for (const [pivot, row] of echelon(relations, withheld, true)) {
    const others = [...row.keys()].filter((k) => k !== pivot);
    if (others.every((k) => !withheld.has(k))) found.set(pivot, others);
  }
  return found;
}

/** Whether the problem has more than `most` cells (counted only as far as needed). */
function larger(problem: SuppressionProblem, most: number): boolean {
  const cells = new Set(problem.primary);
  for (const relation of problem.relations)
    for (const [cell] of relation) {
      cells.add(cell);
      if (cells.size > most) return true;
    }
  return cells.size > most;
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
    const exposed = cutsFor(problem.relations, withheld);
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
export const MAX_EXACT_CELLS = 1_000;

/** The cells to withhold: `primary` and the least complement the budget allows (see the module comment). */
export function protect(problem: SuppressionProblem, highs: Highs | null, budgetMs: number): Protection {
  const deadline = Date.now() + budgetMs;
  const withheld = new Set<number>();
  let method: SuppressionMethod = 'optimal';
  for (const part of parts(problem)) {
    const left = deadline - Date.now();
    const exact = highs && left > 0 && !larger(part, MAX_EXACT_CELLS) ? protectOptimally(part, highs, left) : null;
    if (!exact) method = 'heuristic';
    // A table by group: group by group first, then the exact check and the greedy complement (group-protection.ts).
    for (const cell of exact ?? (part.groups ? protectByGroup(part, protectHeuristically) : protectHeuristically(part))) withheld.add(cell);
  }
  return { withheld, method };
}
