import type { Relation, SuppressionProblem } from './complementary-suppression.js';
import { derivableCells, FirstSeen, ShapeKey } from './linear-system.js';

/**
 * A first protection of a table by group, built group by group, where the heuristic starts (the
 * exact check and the greedy complement of complementary-suppression.ts finish it).
 *
 * A group's withheld cells can move together within its own relations (its rows, its TOTAL and
 * INVOEG); such a movement changes the sums of group ALL, so a reader can follow it only when
 * other groups can move the opposite way in the same sums. Two groups with the same rows that
 * withhold the same cells always can: one's movement, mirrored, is the other's. So:
 *
 * 1. each group is protected against its own relations alone, as a small table of its own;
 *    groups alike (the same relations, small cells and zeros) get the same answer, found once;
 * 2. a group that no other group of the same rows covers (withholds at least its cells) is
 *    paired with the group of the same rows whose withheld cells are closest to its own (fewest
 *    cells to add, then the smallest figures), and both withhold the union: a "rectangle" of
 *    complements across the two groups, which balances every movement of either.
 *
 * A group never loses a cell here, so a group that covered another still does. What is left
 * uncovered (a group whose rows no other group has, or small cells in ALL) is for the exact
 * check and the greedy complement to settle.
 */

interface GroupLayout {
  blocks: readonly number[];
  places: readonly number[];
  all: number;
}

/** A small problem solved on its own: the cells to withhold (primary included). */
export type LocalProtection = (problem: SuppressionProblem) => ReadonlySet<number>;

interface Group {
  block: number;
  /** place → cell */
  cells: Map<number, number>;
  relations: Relation[];
  /** the group's rows and relations in places: groups with the same shape are alike */
  shape: string;
  withheld: Set<number>;
}

const keyOf = (places: Iterable<number>) => [...places].sort((a, b) => a - b).join(',');

function groupsOf(problem: SuppressionProblem, layout: GroupLayout): Group[] {
  const byBlock = new Map<number, Group>();
  const group = (block: number): Group => {
    let g = byBlock.get(block);
    if (!g) byBlock.set(block, (g = { block, cells: new Map(), relations: [], shape: '', withheld: new Set() }));
    return g;
  };
  for (const relation of problem.relations) {
    if (relation.length === 0) continue;
    for (const [cell] of relation) if (layout.blocks[cell] !== layout.all) group(layout.blocks[cell]).cells.set(layout.places[cell], cell);
    const block = layout.blocks[relation[0][0]];
    if (block === layout.all || relation.some(([cell]) => layout.blocks[cell] !== block)) continue;
    group(block).relations.push(relation.map(([cell, a]) => [layout.places[cell], a] as const));
  }
  for (const g of byBlock.values()) {
    const key = new ShapeKey();
    for (const relation of g.relations) key.terms(relation);
    g.shape = key.text();
  }
  return [...byBlock.values()];
}

/** A group's relations in the parts no relation joins (its flows, its toWork, its pending …), each solved on its own. */
function components(relations: readonly Relation[]): Relation[][] {
  const parent = new Map<number, number>();
  const root = (place: number): number => {
    let r = place;
    for (let up = parent.get(r); up !== undefined && up !== r; up = parent.get(r)) r = up;
    return r;
  };
  for (const relation of relations) {
    const first = root(relation[0][0]);
    parent.set(first, first);
    for (const [place] of relation) {
      const r = root(place);
      if (r !== first) parent.set(r, first);
    }
  }
  const byRoot = new Map<number, Relation[]>();
  for (const relation of relations) {
    const r = root(relation[0][0]);
    const list = byRoot.get(r);
    if (list) list.push(relation);
    else byRoot.set(r, [relation]);
  }
  return [...byRoot.values()];
}

/**
 * A part of a group's small problem numbered by the order in which its relations name its cells,
 * so that parts alike in all but the names of their programmes read the same (and are solved once).
 */
function canonical(
  problem: SuppressionProblem,
  g: Group,
  part: readonly Relation[],
  primaryCells: ReadonlySet<number>,
): { key: string; local: SuppressionProblem; places: number[] } {
  const numbering = new FirstSeen<number>();
  const relations = part.map((relation) => relation.map(([place, a]) => [numbering.at(place), a] as const));
  const places = numbering.items;
  // Only whether a figure is zero counts (zeros are the last complements chosen): parts alike get one answer whatever their figures.
  const values = places.map((place) => (problem.values[g.cells.get(place)!] === 0 ? 0 : 1));
  const tiers = places.map((place) => problem.tiers?.[g.cells.get(place)!] ?? 0);
  const primary = places.flatMap((place, i) => (primaryCells.has(g.cells.get(place)!) ? [i] : []));
  const shape = new ShapeKey();
  for (const relation of relations) shape.terms(relation);
  for (const list of [tiers, primary, values]) {
    for (const n of list) shape.number(n);
    shape.end();
  }
  return { key: shape.text(), local: { values, tiers, relations, primary }, places };
}

/** Answers to parts of groups by their key, kept from table to table (a worker answers many); emptied when it grows past ANSWERS_KEPT. */
const answersOf = new WeakMap<LocalProtection, Map<string, ReadonlySet<number>>>();
const ANSWERS_KEPT = 50_000;

/** Step 1: each group against its own relations, part by part; parts alike (shape, small cells, zeros) share one answer. */
function protectApart(problem: SuppressionProblem, groups: readonly Group[], solve: LocalProtection): void {
  const primaryCells = new Set(problem.primary);
  let answers = answersOf.get(solve);
  if (!answers || answers.size >= ANSWERS_KEPT) answersOf.set(solve, (answers = new Map<string, ReadonlySet<number>>()));
  for (const g of groups) {
    if (![...g.cells.values()].some((cell) => primaryCells.has(cell))) continue;
    for (const part of components(g.relations)) {
      if (!part.some((relation) => relation.some(([place]) => primaryCells.has(g.cells.get(place)!)))) continue;
      const { key, local, places } = canonical(problem, g, part, primaryCells);
      let answer = answers.get(key);
      if (!answer) answers.set(key, (answer = solve(local)));
      for (const i of answer) g.withheld.add(places[i]);
    }
  }
}

const covers = (a: ReadonlySet<number>, b: ReadonlySet<number>) => a.size >= b.size && [...b].every((place) => a.has(place));

/** Step 2: every group with withheld cells covered by another group of the same shape. */
function pairUp(problem: SuppressionProblem, groups: readonly Group[]): void {
  const byShape = new Map<string, Group[]>();
  for (const g of groups) if (g.withheld.size > 0) byShape.set(g.shape, [...(byShape.get(g.shape) ?? []), g]);
  const allOfShape = new Map<string, Group[]>();
  for (const g of groups) allOfShape.set(g.shape, [...(allOfShape.get(g.shape) ?? []), g]);
  for (const [shape, withWithheld] of byShape) {
    const candidates = allOfShape.get(shape)!;
    if (candidates.length < 2) continue;
    // The distinct withheld sets of the shape, each with the groups that have it.
    const classes = new Map<string, Group[]>();
    for (const g of candidates) classes.set(keyOf(g.withheld), [...(classes.get(keyOf(g.withheld)) ?? []), g]);
    const covered = (g: Group) =>
      [...classes.values()].some((members) => members.some((other) => other !== g) && covers(members.find((other) => other !== g)!.withheld, g.withheld));
    for (const g of withWithheld) {
      if (covered(g)) continue;
      let best: { partner: Group; added: number; weight: number } | undefined;
      for (const members of classes.values()) {
        const partner = members.find((other) => other !== g);
        if (!partner) continue;
        let added = 0;
        let weight = 0;
        for (const place of g.withheld)
          if (!partner.withheld.has(place)) {
            added++;
            weight += Math.abs(problem.values[partner.cells.get(place)!]);
          }
        for (const place of partner.withheld)
          if (!g.withheld.has(place)) {
            added++;
            weight += Math.abs(problem.values[g.cells.get(place)!]);
          }
        if (!best || added < best.added || (added === best.added && weight < best.weight)) best = { partner, added, weight };
      }
      if (!best) continue;
      const { partner } = best;
      for (const member of [g, partner]) {
        const members = classes.get(keyOf(member.withheld))!;
        members.splice(members.indexOf(member), 1);
        if (members.length === 0) classes.delete(keyOf(member.withheld));
      }
      const union = new Set([...g.withheld, ...partner.withheld]);
      g.withheld = union;
      partner.withheld = new Set(union);
      classes.set(keyOf(union), [...(classes.get(keyOf(union)) ?? []), g, partner]);
    }
  }
}

/**
 * Groups whose protection is settled by step 1 and 2 alone: each group of a class of at least two
 * alike groups (the same relations, withheld and small cells) whose withheld cells are safe within
 * the group and each needed there (publishing any complement makes a cell of the group derivable
 * from the group's own relations). Such a group's movements are mirrored by another of its class
 * whatever the rest of the table does, so it is safe exactly when it is on its own; and each of its
 * complements is necessary in any table. Of each class, two groups are kept as its representatives
 * (they keep its movements in the table's system, so every other group's check is the same) and
 * the others are returned: the greedy complement need not see them.
 */
function settled(problem: SuppressionProblem, groups: readonly Group[]): { representatives: Group[]; others: Group[] } {
  const primaryCells = new Set(problem.primary);
  const classes = new Map<string, Group[]>();
  for (const g of groups) {
    const primaryPlaces = [...g.withheld].filter((place) => primaryCells.has(g.cells.get(place)!));
    const key = `${g.shape}|${keyOf(g.withheld)}|${keyOf(primaryPlaces)}`;
    const members = classes.get(key);
    if (members) members.push(g);
    else classes.set(key, [g]);
  }
  const representatives: Group[] = [];
  const others: Group[] = [];
  for (const members of classes.values()) {
    if (members.length < 2 || !settledOnItsOwn(members[0], primaryCells)) continue;
    representatives.push(members[0], members[1]);
    others.push(...members.slice(2));
  }
  return { representatives, others };
}

/** Whether a group's withheld cells are safe within the group and each complement needed there. */
function settledOnItsOwn(g: Group, primaryCells: ReadonlySet<number>): boolean {
  if (derivableCells(g.relations, g.withheld).length > 0) return false;
  for (const place of g.withheld) {
    if (primaryCells.has(g.cells.get(place)!)) continue;
    const without = new Set(g.withheld);
    without.delete(place);
    if (derivableCells(g.relations, without).length === 0) return false;
  }
  return true;
}

/** The greedy complement: `start`, the cells to begin with; its answer safe, every complement necessary (complementary-suppression.ts). */
export type Heuristic = (problem: SuppressionProblem, start?: Iterable<number>) => Set<number>;

/**
 * The protection of a table by group: group by group first (see the module comment), then the
 * greedy complement on the table without the settled groups beyond their classes' two
 * representatives. The table without them is the same system for every group it keeps (a class's
 * movements are all there), so its protection is the whole table's, the left-out groups taking
 * their class's cells. Should the greedy change a representative, the class would no longer be
 * alike, and the whole table is given to the greedy instead.
 */
export function protectByGroup(problem: SuppressionProblem, greedy: Heuristic): Set<number> {
  if (!problem.blocks || !problem.groups) return greedy(problem);
  const blocks = problem.blocks;
  const groups = groupsOf(problem, { blocks, ...problem.groups });
  protectApart(problem, groups, greedy);
  pairUp(problem, groups);
  const start = new Set(problem.primary);
  for (const g of groups) for (const place of g.withheld) start.add(g.cells.get(place)!);
  const { representatives, others } = settled(problem, groups);
  if (others.length === 0) return greedy(problem, start);

  const left = new Set(others.map((g) => g.block));
  const kept = (cell: number) => !left.has(blocks[cell]);
  const reduced: SuppressionProblem = {
    ...problem,
    relations: problem.relations.flatMap((relation) => {
      const terms = relation.filter(([cell]) => kept(cell));
      return terms.length > 0 ? [terms] : [];
    }),
    primary: problem.primary.filter(kept),
    groups: undefined,
  };
  const withheld = greedy(reduced, [...start].filter(kept));
  const unchanged = representatives.every((g) => [...g.cells].every(([place, cell]) => withheld.has(cell) === g.withheld.has(place)));
  if (!unchanged) return greedy(problem, start);
  for (const g of others) for (const place of g.withheld) withheld.add(g.cells.get(place)!);
  return withheld;
}
