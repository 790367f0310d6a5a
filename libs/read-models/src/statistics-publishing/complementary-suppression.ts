/**
 * Complementary (secondary) cell suppression over a system of published linear relations.
 *
 * A table is a vector of cells `x`; what it publishes obeys relations `Σ coefficient·x = 0`
 * (for example TOTAL − SW − BW − … = 0). Once some cells are withheld, a reader knows the other
 * cells and the relations, and can solve for the withheld ones. A withheld cell is *derivable*
 * when every solution of that linear system gives it the same value. This module decides
 * derivability exactly (up to arithmetic modulo a large prime, see `P`) and adds complementary
 * cells until no withheld cell is derivable. Pure: no I/O, deterministic for the same input.
 */

/** One published relation: the sum of `coefficient × cell` over its terms is zero. */
export type Relation = ReadonlyArray<readonly [cell: number, coefficient: number]>;

/**
 * Rank computations run modulo this prime (2^26 − 5), so products stay below 2^53 and every step
 * is exact in floating point. A coefficient matrix of small integers loses rank modulo P only if
 * P divides one of its minors, which for relations with coefficients ±1 over a few hundred cells
 * does not happen in practice.
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

interface Echelon {
  /** the relations on `columns`, reduced: pivots are taken only among the first `pivotable` columns */
  rows: number[][];
  /** the column of each pivot row, in row order */
  pivots: number[];
  columns: number[];
}

/** Gauss–Jordan elimination modulo P of the relations restricted to `columns`. */
function reduce(relations: readonly Relation[], columns: readonly number[], pivotable: number): Echelon {
  const columnOf = new Map(columns.map((cell, i) => [cell, i]));
  const rows: number[][] = [];
  for (const relation of relations) {
    const row = new Array<number>(columns.length).fill(0);
    for (const [cell, coefficient] of relation) {
      const c = columnOf.get(cell);
      if (c !== undefined) row[c] = mod(row[c] + coefficient);
    }
    if (row.some((v) => v !== 0)) rows.push(row);
  }
  const pivots: number[] = [];
  for (let c = 0; c < pivotable && pivots.length < rows.length; c++) {
    const rank = pivots.length;
    const r = rows.findIndex((row, i) => i >= rank && row[c] !== 0);
    if (r === -1) continue;
    [rows[rank], rows[r]] = [rows[r], rows[rank]];
    const pivotRow = rows[rank];
    const scale = inverse(pivotRow[c]);
    for (let k = c; k < columns.length; k++) pivotRow[k] = (pivotRow[k] * scale) % P;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const factor = row[c];
      if (i === rank || factor === 0) continue;
      for (let k = c; k < columns.length; k++) if (pivotRow[k] !== 0) row[k] = mod(row[k] - ((factor * pivotRow[k]) % P));
    }
    pivots.push(c);
  }
  return { rows, pivots, columns: [...columns] };
}

/** Pivot rows (by index) whose cell is determined: no entry in a free column among the first `pivotable`. */
function determinedRows({ rows, pivots }: Echelon, pivotable: number): number[] {
  const isPivot = new Set(pivots);
  return pivots.flatMap((c, r) => {
    const row = rows[r];
    for (let k = 0; k < pivotable; k++) if (k !== c && row[k] !== 0 && !isPivot.has(k)) return [];
    return [r];
  });
}

/**
 * The withheld cells a reader can compute from the published cells and the relations: after
 * reducing the relations restricted to the withheld cells to row echelon form, a pivot cell is
 * determined exactly when its row has no entry in a free (non-pivot) column.
 */
export function derivableCells(relations: readonly Relation[], withheld: ReadonlySet<number>): number[] {
  const columns = [...withheld].sort((a, b) => a - b);
  const echelon = reduce(relations, columns, columns.length);
  return determinedRows(echelon, columns.length)
    .map((r) => columns[echelon.pivots[r]])
    .sort((a, b) => a - b);
}

/**
 * The price of withholding a cell: `tier` (e.g. keep totals whole) counts before how many
 * withheld cells would stay derivable, which counts before `size` (the information lost).
 */
export interface CellCost {
  tier: number;
  size: number;
}

/**
 * The cells to withhold: `primary` plus complementary cells, chosen greedily, until no withheld
 * cell is derivable. Each step adds one published cell that shares a relation with a derivable
 * cell: among those that leave fewer cells derivable, the one of the lowest tier, then the one
 * leaving the fewest, then the smallest.
 * Withholding every cell of a relation system that forces no cell to a fixed value is always
 * safe, so the loop ends. Cells in `published` are left out of the choice while others remain.
 */
export function protect(
  relations: readonly Relation[],
  primary: Iterable<number>,
  cost: (cell: number) => CellCost,
  /** cells published elsewhere already (e.g. in the year before): withheld only as a last resort */
  published: ReadonlySet<number> = new Set(),
): Set<number> {
  const withheld = new Set(primary);
  const relationsOf = new Map<number, Relation[]>();
  for (const relation of relations) {
    for (const [cell] of relation) {
      const list = relationsOf.get(cell) ?? [];
      list.push(relation);
      relationsOf.set(cell, list);
    }
  }
  const neighbours = (cell: number): number[] => {
    const found: number[] = [];
    for (const relation of relationsOf.get(cell) ?? []) for (const [other] of relation) if (!withheld.has(other)) found.push(other);
    return found;
  };

  for (;;) {
    const columns = [...withheld].sort((x, y) => x - y);
    const n = columns.length;
    // Candidates: the published cells sharing a relation with a withheld one.
    const related = [...new Set(columns.flatMap(neighbours))];
    const free = related.filter((cell) => !published.has(cell));
    const candidates = free.length > 0 ? free : related;
    // One elimination with every candidate as an extra column. Withholding candidate j adds the
    // solution direction (w, 1) with A·w = −a_j when a_j lies in the span of the withheld columns
    // (its entries vanish in every non-pivot row); the derivable cells whose pivot row has a
    // non-zero entry in j's column then vary along it. Otherwise j itself would be determined.
    const echelon = reduce(relations, [...columns, ...candidates], n);
    const stillDerivable = determinedRows(echelon, n);
    if (stillDerivable.length === 0) return withheld;
    // Every related cell is withheld and still one is derivable: the relations force a value.
    if (candidates.length === 0) throw new Error(`cell ${columns[echelon.pivots[stillDerivable[0]]]} is fixed by the relations alone and cannot be protected`);
    const rank = echelon.pivots.length;
    const ranked = candidates.map((cell, q) => {
      const k = n + q;
      const inSpan = echelon.rows.every((row, i) => i < rank || row[k] === 0);
      const left = inSpan ? stillDerivable.filter((r) => echelon.rows[r][k] === 0).length : stillDerivable.length + 1;
      return { cell, helps: left < stillDerivable.length ? 0 : 1, left, ...cost(cell) };
    });
    ranked.sort((a, b) => a.helps - b.helps || a.tier - b.tier || a.left - b.left || a.size - b.size || a.cell - b.cell);
    withheld.add(ranked[0].cell);
  }
}
