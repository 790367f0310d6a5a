/**
 * What a reader can compute from a published table: exact linear algebra over the relations a
 * reader knows, restricted to the withheld cells. Pure: no I/O.
 *
 * A withheld cell is *derivable* when every solution of the system gives it the same value: no
 * direction `d` with `A·d = 0`, zero on every published cell, moves it.
 *
 * A table by group is a block system: each group's cells (all its rows, every year of a series)
 * are tied by relations of their own, and the groups only through the sums of group `ALL`.
 * `derivableCells` with blocks solves each group on its own and the few sums that tie them once,
 * instead of one system of the whole table (see `BlockSystem`).
 */

/** One published relation: the sum of `coefficient × cell` over its terms is zero. */
export type Relation = ReadonlyArray<readonly [cell: number, coefficient: number]>;

/** Numbers things 0, 1, 2 … in the order they are first asked for: a small system renumbered so that alike systems read alike. */
export class FirstSeen<T> {
  private readonly index = new Map<T, number>();
  readonly items: T[] = [];

  at(item: T): number {
    let i = this.index.get(item);
    if (i === undefined) {
      this.index.set(item, (i = this.items.length));
      this.items.push(item);
    }
    return i;
  }
}

/**
 * A small system's shape written as text, the key of the caches of systems alike: each number one
 * character (two from 2^15 on; numbers stay below 2^30), a mark after each relation or list.
 */
export class ShapeKey {
  private readonly codes: number[] = [];

  number(n: number): this {
    if (n < 0x8000) this.codes.push(n);
    else this.codes.push(0x8000 | (n >>> 15), n & 0x7fff);
    return this;
  }

  /** One term: the cell's number, its coefficient (zigzag: 0, −1, 1, −2 … as 0, 1, 2, 3 …). */
  term(i: number, a: number): this {
    return this.number(i).number(a >= 0 ? 2 * a : -2 * a - 1);
  }

  terms(terms: Relation): this {
    for (const [i, a] of terms) this.term(i, a);
    return this.end();
  }

  end(): this {
    this.codes.push(0xffff);
    return this;
  }

  text(): string {
    let text = '';
    for (let k = 0; k < this.codes.length; k += 4096) text += String.fromCharCode(...this.codes.slice(k, k + 4096));
    return text;
  }
}

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

/** A sparse vector modulo P: coordinate → non-zero coefficient. */
type Vector = Map<number, number>;

function addTo(vector: Vector, k: number, delta: number): void {
  const value = mod((vector.get(k) ?? 0) + (delta % P));
  if (value === 0) vector.delete(k);
  else vector.set(k, value);
}

/**
 * The relations reduced to reduced row echelon form on the withheld cells (sparsely, pivots among
 * the withheld cells only): pivot cell → its row (cell → coefficient, pivot coefficient 1). With
 * `withSupport` a row keeps the published cells it combines (a reader computes the pivot from
 * them); without, published cells are constants and are left out. A row holding a single
 * withheld cell computes that cell.
 */
export function echelon(relations: Iterable<Relation>, withheld: ReadonlySet<number>, withSupport: boolean): Map<number, Vector> {
  const pivots = new Map<number, Vector>();
  /** withheld column → pivot columns whose rows hold it */
  const holders = new Map<number, Set<number>>();
  const hold = (pivot: number, column: number) => {
    if (!withheld.has(column)) return;
    let set = holders.get(column);
    if (!set) holders.set(column, (set = new Set()));
    set.add(pivot);
  };
  for (const relation of relations) {
    if (!relation.some(([cell]) => withheld.has(cell))) continue;
    const row: Vector = new Map();
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
  return pivots;
}

/** Fixed cells of small systems already solved, by their shape (fixedCells); emptied when it grows past FIXED_KEPT. */
const fixedByShape = new Map<string, number[]>();
const FIXED_KEPT = 100_000;

/**
 * The withheld cells that `relations` alone fix (a reduced row holding one withheld cell). The
 * answer depends only on the shape of the system on the withheld cells, and the groups of a large
 * table repeat a few shapes many times: each shape is solved once, its cells numbered in the order
 * the relations name them.
 */
function fixedCells(relations: readonly Relation[], withheld: ReadonlySet<number>): number[] {
  const numbering = new FirstSeen<number>();
  const key = new ShapeKey();
  for (const relation of relations) {
    let any = false;
    for (const [cell, a] of relation)
      if (withheld.has(cell)) {
        key.term(numbering.at(cell), a);
        any = true;
      }
    if (any) key.end();
  }
  const text = key.text();
  let fixed = fixedByShape.get(text);
  if (!fixed) {
    const shape = relations.flatMap((relation) => {
      const terms = relation.filter(([cell]) => withheld.has(cell)).map(([cell, a]) => [numbering.at(cell), a] as const);
      return terms.length > 0 ? [terms] : [];
    });
    fixed = [];
    for (const [pivot, row] of echelon(shape, new Set(numbering.items.keys()), false)) if (row.size === 1) fixed.push(pivot);
    if (fixedByShape.size >= FIXED_KEPT) fixedByShape.clear();
    fixedByShape.set(text, fixed);
  }
  return fixed.map((i) => numbering.items[i]);
}

/**
 * For a system none of whose withheld cells is fixed: whether publishing each withheld cell alone
 * keeps it so, all from one reduction (null when a withheld cell is fixed already). Publishing i
 * fixes c exactly when some e_c + β·e_i (β ≠ 0) lies in the row space R of the relations on the
 * withheld cells, that is when e_c and e_i reduce modulo R to parallel vectors (neither reduces
 * to 0, or c would be fixed already). A pivot cell reduces to minus its row's other terms, a free
 * cell to itself; so i is safe to publish when no other cell reduces to a multiple of i's.
 */
export function publishable(relations: readonly Relation[], withheld: ReadonlySet<number>): Map<number, boolean> | null {
  const pivots = echelon(relations, withheld, false);
  const keys = new Map<number, string>();
  const count = new Map<string, number>();
  for (const cell of withheld) {
    const row = pivots.get(cell);
    const terms: [number, number][] = row ? [...row].filter(([k]) => k !== cell) : [[cell, 1]];
    if (terms.length === 0) return null;
    terms.sort((a, b) => a[0] - b[0]);
    const scale = inverse(terms[0][1]);
    const key = terms.map(([k, x]) => `${k}:${(x * scale) % P}`).join(' ');
    keys.set(cell, key);
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  return new Map([...keys].map(([cell, key]) => [cell, count.get(key) === 1]));
}

/** A subspace of sparse vectors, kept in reduced row echelon form. */
class Span {
  private readonly rows = new Map<number, Vector>();

  get rank(): number {
    return this.rows.size;
  }

  copy(): Span {
    const span = new Span();
    for (const [pivot, row] of this.rows) span.rows.set(pivot, new Map(row));
    return span;
  }

  /** `vector` minus its part in the span (empty when it lies in it). */
  reduce(vector: Vector): Vector {
    const out = new Map(vector);
    // Rows are reduced: subtracting one changes no other pivot coordinate.
    for (const k of vector.keys()) {
      const row = this.rows.get(k);
      const factor = out.get(k);
      if (row && factor) for (const [c, x] of row) addTo(out, c, -factor * x);
    }
    return out;
  }

  /** Adds `vector`; false when it was in the span already. */
  add(vector: Vector): boolean {
    const row = this.reduce(vector);
    if (row.size === 0) return false;
    const [pivot, value] = row.entries().next().value as [number, number];
    const scale = inverse(value);
    for (const [k, v] of row) row.set(k, (v * scale) % P);
    for (const other of this.rows.values()) {
      const factor = other.get(pivot);
      if (factor) for (const [k, v] of row) addTo(other, k, -factor * v);
    }
    this.rows.set(pivot, row);
    return true;
  }
}

/** Which group (block) each cell belongs to; relations within one group never hold another's cells. */
export type BlockOf = (cell: number) => number;

/**
 * One block's own system: its withheld cells reduced by the relations among them alone. The cells
 * are numbered 0, 1, … in `cells`; pivots and images speak of those numbers, so that blocks alike
 * (the same relations and ties, as the groups of a large table mostly are) share them (`shapes`).
 */
interface LocalSystem {
  cells: number[];
  pivots: ReadonlyMap<number, Vector>;
  /**
   * The block's free directions (one per withheld cell that is not a pivot: that cell 1, each pivot
   * the negated coefficient of its row) mapped onto the tying relations: free cell → what moving
   * along it adds to each tying relation. Directions that add nothing are left out.
   */
  images: ReadonlyMap<number, Vector>;
  /** each image written out, so that images alike are added to a span once */
  imageKeys: ReadonlyMap<number, string>;
  /** the block's own relations on its withheld cells, in the local numbering, whatever its ties */
  own: OwnSystem;
}

interface OwnSystem {
  relations: readonly Relation[];
  /** local cell → whether publishing it alone leaves no cell fixed by these relations (found when first asked: shared by the blocks alike, from table to table) */
  safeWithout?: Map<number, boolean>;
}

/** Blocks' own relations by their shape (the tying relations of a block are numbered by the table; these are not); emptied when it grows past FIXED_KEPT. */
const ownSystems = new Map<string, OwnSystem>();

/**
 * The relations split for `withheld`, each kept with its withheld cells only (the published ones
 * are constants): a relation whose withheld cells all lie in one block is that block's own; the
 * others tie blocks together.
 */
function splitRelations(relations: readonly Relation[], withheld: ReadonlySet<number>, blockOf: BlockOf): { own: Map<number, Relation[]>; tying: Relation[] } {
  const own = new Map<number, Relation[]>();
  const tying: Relation[] = [];
  for (const relation of relations) {
    let block: number | undefined;
    let shared = false;
    // Published cells are constants: only the withheld terms are kept.
    const terms = relation.filter(([cell]) => withheld.has(cell));
    for (const [cell] of terms) {
      const b = blockOf(cell);
      if (block === undefined) block = b;
      else if (b !== block) shared = true;
    }
    if (block === undefined) continue;
    if (shared) tying.push(terms);
    else {
      let list = own.get(block);
      if (!list) own.set(block, (list = []));
      list.push(terms);
    }
  }
  return { own, tying };
}

type LocalShape = Omit<LocalSystem, 'cells'>;

/** Block systems already solved, by their shape; emptied when it grows past FIXED_KEPT. */
const shapes = new Map<string, LocalShape>();

function localSystem(
  blockCells: readonly number[],
  ownRelations: readonly Relation[],
  withheld: ReadonlySet<number>,
  tyingOf: ReadonlyMap<number, [number, number][]>,
): LocalSystem {
  const numbering = new FirstSeen<number>();
  const at = (cell: number) => numbering.at(cell);
  const cells = numbering.items;
  const relations: [number, number][][] = [];
  const shapeKey = new ShapeKey();
  for (const relation of ownRelations) {
    const terms: [number, number][] = [];
    for (const [cell, a] of relation) if (withheld.has(cell)) terms.push([at(cell), a]);
    if (terms.length === 0) continue;
    relations.push(terms);
    shapeKey.terms(terms);
  }
  for (const cell of blockCells) at(cell);
  const ownKey = shapeKey.text();
  shapeKey.end();
  for (const cell of cells) shapeKey.terms(tyingOf.get(cell) ?? []);
  const key = shapeKey.text();
  let shape = shapes.get(key);
  if (!shape) {
    const pivots = echelon(relations, new Set(cells.keys()), false);
    const images = new Map<number, Vector>();
    const image = (free: number) => {
      let v = images.get(free);
      if (!v) images.set(free, (v = new Map<number, number>()));
      return v;
    };
    cells.forEach((cell, i) => {
      const row = pivots.get(i);
      for (const [j, a] of tyingOf.get(cell) ?? []) {
        if (!row) addTo(image(i), j, a);
        else for (const [free, x] of row) if (free !== i) addTo(image(free), j, -a * x);
      }
    });
    const imageKeys = new Map<number, string>();
    for (const [free, v] of images) {
      if (v.size === 0) images.delete(free);
      else imageKeys.set(free, [...v].join(' '));
    }
    if (shapes.size >= FIXED_KEPT) shapes.clear();
    let own = ownSystems.get(ownKey);
    if (!own) {
      if (ownSystems.size >= FIXED_KEPT) ownSystems.clear();
      ownSystems.set(ownKey, (own = { relations }));
    }
    shapes.set(key, (shape = { pivots, images, imageKeys, own }));
  }
  return { cells, ...shape };
}

/** The block's withheld cells fixed by its own relations (a pivot row with nothing free in it). */
const locallyDerivable = (local: LocalSystem): number[] => local.cells.filter((_, i) => local.pivots.get(i)?.size === 1);

/**
 * The block's derivable cells when its directions must map into `others` (what the other blocks'
 * directions can balance on the tying relations): the free coefficients α of the block may only
 * combine to a residual 0 outside `others`; a cell is derivable when its value, as a function of
 * α, is fixed on that subspace.
 */
function derivableAgainst(local: LocalSystem, others: Span): number[] {
  const constraints = new Map<number, Vector>();
  for (const [free, image] of local.images) {
    for (const [j, r] of others.reduce(image)) {
      let row = constraints.get(j);
      if (!row) constraints.set(j, (row = new Map<number, number>()));
      row.set(free, r);
    }
  }
  const fixed = new Span();
  for (const row of constraints.values()) fixed.add(row);
  return local.cells.filter((_, i) => {
    const row = local.pivots.get(i);
    const value: Vector = new Map();
    if (!row) value.set(i, 1);
    else for (const [free, x] of row) if (free !== i) addTo(value, free, -x);
    return fixed.reduce(value).size === 0;
  });
}

/**
 * The tying relations' side of a block system: which blocks' directions span what every block
 * together can balance. `first` spans it; when the blocks outside `first` span it as well
 * (`twice`), every block's directions are balanced by the others whatever it does, and the
 * system is safe exactly when every block is safe on its own.
 */
interface Balance {
  first: Set<number>;
  rest: Span;
  twice: boolean;
}

/** The blocks of `order` whose images first add to the span of all their images, and its rank. */
function owners(locals: ReadonlyMap<number, LocalSystem>, order: readonly number[]): { first: Set<number>; all: number } {
  const all = new Span();
  const first = new Set<number>();
  // Groups alike move the sums alike: an image met before adds nothing, and is not reduced again.
  const seen = new Set<string>();
  for (const block of order)
    for (const [free, image] of locals.get(block)!.images) {
      const key = locals.get(block)!.imageKeys.get(free)!;
      if (seen.has(key)) continue;
      seen.add(key);
      if (all.add(image)) first.add(block);
    }
  return { first, all: all.rank };
}

function balance(locals: ReadonlyMap<number, LocalSystem>, order: readonly number[]): Balance {
  const { first, all } = owners(locals, order);
  const rest = new Span();
  const seen = new Set<string>();
  for (const block of order) {
    if (first.has(block)) continue;
    const local = locals.get(block)!;
    for (const [free, image] of local.images) {
      const key = local.imageKeys.get(free)!;
      if (!seen.has(key)) rest.add(image);
      seen.add(key);
    }
  }
  return { first, rest, twice: rest.rank === all };
}

/**
 * A block system for one withheld set, each block's own system kept, so that a cell published in
 * one block costs that block's system again, not the whole table's. The relations are split once,
 * for the withheld set given: publishing cells later keeps a relation of one block that block's,
 * and a tying relation whose withheld cells came to lie in one block stays tying, which gives the
 * same directions (the other blocks add nothing to it).
 */
export class BlockSystem {
  private readonly own: Map<number, Relation[]>;
  private readonly tyingOf = new Map<number, [number, number][]>();
  private readonly cellsOf = new Map<number, Set<number>>();
  readonly locals = new Map<number, LocalSystem>();

  constructor(
    relations: readonly Relation[],
    readonly withheld: Set<number>,
    readonly blockOf: BlockOf,
  ) {
    const { own, tying } = splitRelations(relations, withheld, blockOf);
    this.own = own;
    tying.forEach((relation, j) => {
      for (const [cell, a] of relation) if (withheld.has(cell)) this.tyingOf.set(cell, [...(this.tyingOf.get(cell) ?? []), [j, a]]);
    });
    for (const cell of withheld) {
      const b = blockOf(cell);
      const set = this.cellsOf.get(b);
      if (set) set.add(cell);
      else this.cellsOf.set(b, new Set([cell]));
    }
    for (const block of this.cellsOf.keys()) this.update(block);
  }

  /** Solves `block` again after its withheld cells changed (`withheld` is shared with the caller). */
  update(block: number): void {
    const cells = [...(this.cellsOf.get(block) ?? [])].filter((c) => this.withheld.has(c));
    this.locals.set(block, localSystem(cells, this.own.get(block) ?? [], this.withheld, this.tyingOf));
  }

  /**
   * Whether publishing `cell` (withheld) leaves no withheld cell of its block fixed by the block's
   * own relations (its tying images left aside). Answered once per shape and cell: blocks alike share it.
   */
  locallySafeWithout(cell: number): boolean {
    const local = this.locals.get(this.blockOf(cell))!;
    const i = local.cells.indexOf(cell);
    const own = local.own;
    own.safeWithout ??= publishable(own.relations, new Set(local.cells.keys())) ?? new Map<number, boolean>();
    let safe = own.safeWithout.get(i);
    if (safe === undefined) {
      const others = new Set(local.cells.keys());
      others.delete(i);
      safe = fixedCells(own.relations, others).length === 0;
      own.safeWithout.set(i, safe);
    }
    return safe;
  }

  /** Withholds or publishes `cell` (a cell of the withheld set the system was made for). */
  set(cell: number, withheld: boolean): void {
    if (withheld) this.withheld.add(cell);
    else this.withheld.delete(cell);
    this.update(this.blockOf(cell));
  }

  /**
   * The derivable cells, exactly. A direction of the whole system is one direction per block
   * (within its own relations) whose images on the tying relations add up to zero; so a block's
   * direction is possible exactly when its image lies in the sum `S−b` of the other blocks'
   * images. For a block outside `first` that sum is all of `S` (`first` spans it), which holds
   * its image: its cells are derivable exactly when they are on its own. Only the blocks of
   * `first` (at most one per tying relation) are solved against their `S−b`.
   */
  derivable(order: readonly number[] = [...this.locals.keys()]): number[] {
    const { first, rest, twice } = balance(this.locals, order);
    const derivable: number[] = [];
    for (const [block, local] of this.locals) {
      if (twice || !first.has(block)) derivable.push(...locallyDerivable(local));
      else {
        const others = rest.copy();
        for (const b of first) if (b !== block) for (const image of this.locals.get(b)!.images.values()) others.add(image);
        derivable.push(...derivableAgainst(local, others));
      }
    }
    return derivable.sort((a, b) => a - b);
  }
}

/**
 * The withheld cells a reader can compute from the published cells and the relations. With
 * `blockOf` (the group of each cell), the block method; the answer is the same.
 */
export function derivableCells(relations: readonly Relation[], withheld: ReadonlySet<number>, blockOf?: BlockOf): number[] {
  if (blockOf) return new BlockSystem(relations, new Set(withheld), blockOf).derivable();
  return fixedCells(relations, withheld).sort((a, b) => a - b);
}

/** Spanning families looked for at most: more are found at once, fewer found again as cells are published. */
const MAX_FAMILIES = 8;

/** Complements published again one by one, each only while every withheld cell stays underivable. */
export interface Republishing {
  safeWithout(cell: number): boolean;
  publish(cell: number): void;
}

/**
 * The check for publishing cells again: group by group (`PublishingCheck`) for a table split in
 * blocks; a small system without blocks (a group's own table, for instance) is solved whole each time.
 */
export function republishing(
  relations: readonly Relation[],
  withheld: ReadonlySet<number>,
  blocks?: { blockOf: BlockOf; changing: ReadonlySet<number>; system?: BlockSystem },
): Republishing {
  if (blocks) return new PublishingCheck(blocks.system ?? new BlockSystem(relations, new Set(withheld), blocks.blockOf), blocks.changing);
  const kept = new Set(withheld);
  // Every cell's answer from one reduction, found again after each publication.
  let answers: Map<number, boolean> | null | undefined;
  return {
    safeWithout(cell) {
      answers ??= publishable(relations, kept);
      const answer = answers?.get(cell);
      if (answer !== undefined) return answer;
      kept.delete(cell);
      try {
        return derivableCells(relations, kept).length === 0;
      } finally {
        kept.add(cell);
      }
    },
    publish(cell) {
      kept.delete(cell);
      answers = undefined;
    },
  };
}

/**
 * Asks, cell after cell, whether a safe withheld set stays safe with one cell published, without
 * solving the whole table each time. The blocks are split in disjoint families that each span `S`
 * (what all blocks together can balance on the tying relations). While two families untouched
 * since they were found leave out the block of the cell, publishing it changes neither `S` nor any
 * block's `S−b`, and the answer is that block's own; without such families, a block outside the
 * first two (the owners of `S`, then the owners of what the others span) is answered on its own
 * for the same reason; otherwise the whole system is solved.
 */
export class PublishingCheck implements Republishing {
  private order: number[] = [];
  private familyOf = new Map<number, number>();
  private families = 0;
  private broken = new Set<number>();
  private full = false;
  /** block → how many of its cells were published; cell → the block's count when it was found needed within the block */
  private readonly versions = new Map<number, number>();
  private readonly neededIn = new Map<number, number>();

  /** `system`: the withheld set's block system, changed as cells are published; `changing`: blocks whose cells will be asked about (the families avoid them where they can). */
  constructor(
    private readonly system: BlockSystem,
    private readonly changing: ReadonlySet<number>,
  ) {
    this.settle();
  }

  private settle(): void {
    const locals = this.system.locals;
    this.order = [...locals.keys()].sort((a, b) => Number(this.changing.has(a)) - Number(this.changing.has(b)));
    this.familyOf = new Map();
    this.broken = new Set();
    let left = this.order;
    let rank = -1;
    let families = 0;
    let spanning = 0;
    for (; families < MAX_FAMILIES && left.length > 0; families++) {
      const { first, all } = owners(locals, left);
      if (rank === -1) rank = all;
      if (all === rank) spanning++;
      for (const b of first) this.familyOf.set(b, families);
      left = left.filter((b) => !first.has(b));
      if (all < rank) {
        families++;
        break;
      }
    }
    this.full = spanning >= 3;
    this.families = this.full ? spanning : Math.min(families, 2);
    if (!this.full) for (const [b, f] of this.familyOf) if (f >= 2) this.familyOf.delete(b);
  }

  /** Whether publishing a cell of `block` leaves every other block's `S−b` as it is. */
  private alone(block: number): boolean {
    const own = this.familyOf.get(block);
    if (!this.full) return own === undefined;
    let intact = 0;
    for (let f = 0; f < this.families; f++) if (f !== own && !this.broken.has(f)) intact++;
    return intact >= 2;
  }

  /** Whether publishing `cell` (withheld now) keeps every withheld cell underivable. */
  safeWithout(cell: number): boolean {
    const block = this.system.blockOf(cell);
    // Needed within its own group: stays needed until that group changes (what a group fixes on its own, the whole table fixes).
    if (this.neededIn.get(cell) === (this.versions.get(block) ?? 0)) return false;
    if (this.alone(block)) {
      const safe = this.system.locallySafeWithout(cell);
      if (!safe) this.neededIn.set(cell, this.versions.get(block) ?? 0);
      return safe;
    }
    this.system.withheld.delete(cell);
    try {
      const before = this.system.locals.get(block)!;
      this.system.update(block);
      const safe = this.system.derivable(this.order).length === 0;
      this.system.locals.set(block, before);
      return safe;
    } finally {
      this.system.withheld.add(cell);
    }
  }

  /** Publishes `cell` (after `safeWithout` said yes). */
  publish(cell: number): void {
    const block = this.system.blockOf(cell);
    const alone = this.alone(block);
    this.system.set(cell, false);
    this.versions.set(block, (this.versions.get(block) ?? 0) + 1);
    const family = this.familyOf.get(block);
    if (family !== undefined && this.full) this.broken.add(family);
    // Found again before fewer than three families are left untouched, so that the next cells are answered on their own.
    if (!alone || (this.full && this.families - this.broken.size < 3)) this.settle();
  }
}
