import type { Relation, SuppressionProblem } from './complementary-suppression.js';
import { FirstSeen, termsKey } from './linear-system.js';

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
  for (const g of byBlock.values()) g.shape = g.relations.map(termsKey).join(';');
  return [...byBlock.values()];
}

/**
 * A group's small problem numbered by the order in which its relations name its cells, so that
 * groups alike in all but the names of their programmes read the same (and are solved once).
 */
function canonical(problem: SuppressionProblem, g: Group, primaryCells: ReadonlySet<number>): { key: string; local: SuppressionProblem; places: number[] } {
  const numbering = new FirstSeen<number>();
  const relations = g.relations.map((relation) => relation.map(([place, a]) => [numbering.at(place), a] as const));
  const places = numbering.items;
  const values = places.map((place) => problem.values[g.cells.get(place)!]);
  const tiers = places.map((place) => problem.tiers?.[g.cells.get(place)!] ?? 0);
  const primary = places.flatMap((place, i) => (primaryCells.has(g.cells.get(place)!) ? [i] : []));
  const key = [relations.map(termsKey).join(';'), tiers.join(''), primary.join(','), values.map((v) => (v === 0 ? 0 : 1)).join('')].join('#');
  return { key, local: { values, tiers, relations, primary }, places };
}

/** Step 1: each group against its own relations; groups alike (shape, small cells, zeros) share one answer. */
function protectApart(problem: SuppressionProblem, groups: readonly Group[], solve: LocalProtection): void {
  const primaryCells = new Set(problem.primary);
  // The first group of each key is solved with its own figures (the smallest complements for it), the others alike take its answer.
  const answers = new Map<string, ReadonlySet<number>>();
  for (const g of groups) {
    if (![...g.cells.values()].some((cell) => primaryCells.has(cell))) continue;
    const { key, local, places } = canonical(problem, g, primaryCells);
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = solve(local)));
    g.withheld = new Set([...answer].map((i) => places[i]));
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

/** The first protection of a table by group (see the module comment): the cells to start the greedy complement from. */
export function protectByGroup(problem: SuppressionProblem, solve: LocalProtection): Set<number> {
  if (!problem.blocks || !problem.groups) return new Set(problem.primary);
  const groups = groupsOf(problem, { blocks: problem.blocks, ...problem.groups });
  protectApart(problem, groups, solve);
  pairUp(problem, groups);
  const withheld = new Set(problem.primary);
  for (const g of groups) for (const place of g.withheld) withheld.add(g.cells.get(place)!);
  return withheld;
}
