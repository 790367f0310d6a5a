import type { Relation, SuppressionProblem } from './complementary-suppression.js';
import { FirstSeen, publishable, ShapeKey } from './linear-system.js';

/**
 * A first protection of a table by group, built group by group, where the heuristic starts (the
 * exact check and the greedy complement of complementary-suppression.ts finish it).
 *
 * A group's withheld cells can move together within its own relations (its rows, its TOTAL and
 * INVOEG); such a movement changes the sums of group ALL, so a reader can follow it only when
 * other groups can move the opposite way in the same sums. Two groups with the same rows that
 * withhold the same cells always can: one's movement, mirrored, is the other's. So:
 *
 * 1. each group is protected against its own relations alone, part by part, as a small table of
 *    its own; parts alike (the same relations, small cells and orders of magnitude of the other
 *    figures) get the same answer, found once and kept from table to table;
 * 2. a group that no other group of the same rows covers (withholds at least its cells) is
 *    paired with the group of the same rows whose withheld cells are closest to its own (fewest
 *    cells to add, then the smallest figures), and both withhold the union: a "rectangle" of
 *    complements across the two groups, which balances every movement of either;
 * 3. the groups then settled (see `settled`) leave the table's system but for two of each class.
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

/** A part of a shape that no relation joins to the rest (its flows, its toWork, its pending …), numbered by first appearance. */
interface ShapePart {
  relations: Relation[];
  /** local number → place */
  places: number[];
  key: string;
}

/** A group's rows and relations, in places (the same for the same figure of the same row name in every group): groups of one shape are alike but for their figures. */
export interface Shape {
  key: string;
  relations: Relation[];
  parts: ShapePart[];
}

export interface Group {
  shape: Shape;
  /** place → figure and tier (where the group has the place) */
  values: number[];
  tiers: number[];
  /** the places withheld for being small (or for the year before) */
  primary: Set<number>;
  withheld: Set<number>;
}

/** Shapes by key, kept from table to table; emptied when it grows past SHAPES_KEPT. */
const shapes = new Map<string, Shape>();
const SHAPES_KEPT = 10_000;

/** The shape of a group with these relations (in places). */
export function shapeOf(relations: Relation[]): Shape {
  const key = new ShapeKey();
  for (const relation of relations) key.terms(relation);
  const text = key.text();
  let shape = shapes.get(text);
  if (!shape) {
    if (shapes.size >= SHAPES_KEPT) shapes.clear();
    shapes.set(text, (shape = { key: text, relations, parts: components(relations).map(partOf) }));
  }
  return shape;
}

const keyOf = (places: Iterable<number>) => [...places].sort((a, b) => a - b).join(',');

/** A group's relations in the parts no relation joins, each solved on its own. */
function components(relations: readonly Relation[]): Relation[][] {
  const parent = new Map<number, number>();
  const root = (place: number): number => {
    let r = place;
    for (let up = parent.get(r); up !== undefined && up !== r; up = parent.get(r)) r = up;
    return r;
  };
  for (const relation of relations) {
    if (relation.length === 0) continue;
    const first = root(relation[0][0]);
    parent.set(first, first);
    for (const [place] of relation) {
      const r = root(place);
      if (r !== first) parent.set(r, first);
    }
  }
  const byRoot = new Map<number, Relation[]>();
  for (const relation of relations) {
    if (relation.length === 0) continue;
    const r = root(relation[0][0]);
    const list = byRoot.get(r);
    if (list) list.push(relation);
    else byRoot.set(r, [relation]);
  }
  return [...byRoot.values()];
}

/** A part numbered by the order in which its relations name its places, so that parts alike in all but the names of their programmes read the same. */
function partOf(part: readonly Relation[]): ShapePart {
  const numbering = new FirstSeen<number>();
  const relations = part.map((relation) => relation.map(([place, a]) => [numbering.at(place), a] as const));
  const key = new ShapeKey();
  for (const relation of relations) key.terms(relation);
  return { relations, places: numbering.items, key: key.text() };
}

/** A table's groups read from its relations (the generic problem), each with the cell of each of its places. */
function groupsOf(problem: SuppressionProblem, layout: GroupLayout): (Group & { block: number; cells: Map<number, number> })[] {
  const byBlock = new Map<number, { block: number; cells: Map<number, number>; relations: Relation[] }>();
  const group = (block: number) => {
    let g = byBlock.get(block);
    if (!g) byBlock.set(block, (g = { block, cells: new Map<number, number>(), relations: [] }));
    return g;
  };
  for (const relation of problem.relations) {
    if (relation.length === 0) continue;
    for (const [cell] of relation) if (layout.blocks[cell] !== layout.all) group(layout.blocks[cell]).cells.set(layout.places[cell], cell);
    const block = layout.blocks[relation[0][0]];
    if (block === layout.all || relation.some(([cell]) => layout.blocks[cell] !== block)) continue;
    group(block).relations.push(relation.map(([cell, a]) => [layout.places[cell], a] as const));
  }
  const primaryCells = new Set(problem.primary);
  return [...byBlock.values()].map(({ block, cells, relations }) => {
    const values: number[] = [];
    const tiers: number[] = [];
    const primary = new Set<number>();
    for (const [place, cell] of cells) {
      values[place] = problem.values[cell];
      tiers[place] = problem.tiers?.[cell] ?? 0;
      if (primaryCells.has(cell)) primary.add(place);
    }
    return { block, cells, shape: shapeOf(relations), values, tiers, primary, withheld: new Set<number>() };
  });
}

/** Answers to parts of groups by their key, kept from table to table (a worker answers many); emptied when it grows past ANSWERS_KEPT. */
const answersOf = new WeakMap<LocalProtection, Map<string, ReadonlySet<number>>>();
const ANSWERS_KEPT = 50_000;

/** Step 1: each group against its own relations, part by part; parts alike (shape, small cells, zeros) share one answer. */
function protectApart(groups: readonly Group[], solve: LocalProtection): void {
  let answers = answersOf.get(solve);
  if (!answers || answers.size >= ANSWERS_KEPT) answersOf.set(solve, (answers = new Map<string, ReadonlySet<number>>()));
  for (const g of groups) {
    if (g.primary.size === 0) continue;
    for (const part of g.shape.parts) {
      if (!part.places.some((place) => g.primary.has(place))) continue;
      // A figure counts by its order of magnitude (zero, 1, 2–3, 4–7 …): the greedy prefers small
      // complements, and parts alike in this get one answer whatever their exact figures. A primary
      // cell's figure counts not at all: it is withheld from the start, never weighed as a complement.
      const values = part.places.map((place) => (g.primary.has(place) ? 0 : magnitude(g.values[place])));
      const tiers = part.places.map((place) => g.tiers[place]);
      const primary = part.places.flatMap((place, i) => (g.primary.has(place) ? [i] : []));
      const key = new ShapeKey();
      for (const list of [tiers, primary, values]) {
        for (const n of list) key.number(n);
        key.end();
      }
      const text = part.key + key.text();
      let answer = answers.get(text);
      if (!answer) answers.set(text, (answer = solve({ values, tiers, relations: part.relations, primary })));
      for (const i of answer) g.withheld.add(part.places[i]);
    }
  }
}

const magnitude = (value: number) => (value === 0 ? 0 : 1 + Math.floor(Math.log2(Math.abs(value))));

const covers = (a: ReadonlySet<number>, b: ReadonlySet<number>) => a.size >= b.size && [...b].every((place) => a.has(place));

/** Step 2: every group with withheld cells covered by another group of the same shape. */
function pairUp(groups: readonly Group[]): void {
  const byShape = new Map<Shape, Group[]>();
  for (const g of groups) {
    const list = byShape.get(g.shape);
    if (list) list.push(g);
    else byShape.set(g.shape, [g]);
  }
  for (const candidates of byShape.values()) {
    if (candidates.length < 2) continue;
    const withWithheld = candidates.filter((g) => g.withheld.size > 0);
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
            weight += Math.abs(partner.values[place]);
          }
        for (const place of partner.withheld)
          if (!g.withheld.has(place)) {
            added++;
            weight += Math.abs(g.values[place]);
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
 * Groups whose protection is settled by step 1 and 2 alone. Groups alike (the same relations and
 * withheld cells) can each move exactly as the others can: with two of them in the table, each one's
 * movements are mirrored by another whatever the rest of the table does, so a member is safe
 * exactly when it is on its own. A member whose withheld cells are safe within the group and each
 * needed there (publishing any complement makes a cell of the group derivable from the group's own
 * relations; this depends on which of its cells are small) keeps every complement necessary in any
 * table. Of each class with at least two such members, two of them are kept as its
 * representatives (they keep the class's movements in the table's system, so every other group's
 * check is the same) and the other such members are returned: the greedy complement need not see
 * them. So is a group alone in its class whose cells a settled class of its shape covers, when it
 * is settled on its own: its movements are some of the representatives'.
 */
function settled<G extends Group>(groups: readonly G[]): { representatives: G[]; others: G[] } {
  const classes = new Map<string, G[]>();
  for (const g of groups) {
    const key = `${g.shape.key}|${keyOf(g.withheld)}`;
    const members = classes.get(key);
    if (members) members.push(g);
    else classes.set(key, [g]);
  }
  const representatives: G[] = [];
  const others: G[] = [];
  const settledOfShape = new Map<Shape, ReadonlySet<number>[]>();
  const alone: G[] = [];
  for (const members of classes.values()) {
    if (members.length < 2) {
      alone.push(members[0]);
      continue;
    }
    const onItsOwn = members.filter(settledOnItsOwn);
    if (onItsOwn.length < 2) continue;
    representatives.push(onItsOwn[0], onItsOwn[1]);
    others.push(...onItsOwn.slice(2));
    settledOfShape.set(members[0].shape, [...(settledOfShape.get(members[0].shape) ?? []), members[0].withheld]);
  }
  // A group alone in its class but covered by a settled class (its representatives withhold at least
  // its cells) moves only as they can: it is settled too when it is on its own, and leaves nothing
  // the representatives do not keep.
  for (const g of alone) if (settledOfShape.get(g.shape)?.some((withheld) => covers(withheld, g.withheld)) && settledOnItsOwn(g)) others.push(g);
  return { representatives, others };
}

/**
 * For a shape and withheld places, which withheld places could be published alone with nothing of
 * the group becoming derivable from its own relations (null when something is derivable already);
 * kept from table to table, emptied when it grows past PUBLISHABLE_KEPT.
 */
const publishableOf = new Map<string, ReadonlyMap<number, boolean> | null>();
const PUBLISHABLE_KEPT = 50_000;

/** Whether a group's withheld cells are safe within the group and each complement needed there. */
function settledOnItsOwn(g: Group): boolean {
  const key = `${g.shape.key}|${keyOf(g.withheld)}`;
  let answers = publishableOf.get(key);
  if (answers === undefined) {
    if (publishableOf.size >= PUBLISHABLE_KEPT) publishableOf.clear();
    publishableOf.set(key, (answers = publishable(g.shape.relations, g.withheld)));
  }
  return answers !== null && complementsOf(g).every((place) => !answers.get(place));
}

/** A group's complements: the places it withholds that are not small. */
export const complementsOf = (g: Group): number[] => [...g.withheld].filter((place) => !g.primary.has(place));

/**
 * Steps 1 and 2 (see the module comment) on the groups of a table (ALL left aside), each group's
 * `withheld` set; then the settled groups: of each class, two `representatives` to keep in the
 * table's system, the `others` to leave out of it.
 */
export function protectGroups<G extends Group>(groups: readonly G[], solve: LocalProtection): { representatives: G[]; others: G[] } {
  protectApart(groups, solve);
  pairUp(groups);
  return settled(groups);
}

/**
 * The greedy complement: `start`, the cells to begin with; `needed`, complements of `start` known to be
 * necessary while their groups withhold what they do; its answer safe, every complement necessary
 * (complementary-suppression.ts).
 */
export type Heuristic = (problem: SuppressionProblem, start?: Iterable<number>, needed?: ReadonlySet<number>) => Set<number>;

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
  const { representatives, others } = protectGroups(groups, greedy);
  const start = new Set(problem.primary);
  for (const g of groups) for (const place of g.withheld) start.add(g.cells.get(place)!);
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
  // The representatives are settled on their own: their complements are needed while they stay as they are, checked next.
  const needed = new Set(representatives.flatMap((g) => complementsOf(g).map((place) => g.cells.get(place)!)));
  const withheld = greedy(reduced, [...start].filter(kept), needed);
  const unchanged = representatives.every((g) => [...g.cells].every(([place, cell]) => withheld.has(cell) === g.withheld.has(place)));
  if (!unchanged) return greedy(problem, start);
  for (const g of others) for (const place of g.withheld) withheld.add(g.cells.get(place)!);
  return withheld;
}
