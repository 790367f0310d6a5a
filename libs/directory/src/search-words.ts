/**
 * Word-prefix search, case and accents ignored: "every word of the query begins a word of the
 * name". Names are stored with their folded words (`search_words`); a query matches when each of
 * its folded words is a prefix of one of them.
 */

/** The words of a text, lower case, accents removed, split on anything that is no letter or digit. */
export function searchWords(text: string): string[] {
  const folded = text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  return [...new Set(folded.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== ''))];
}

/** Whether every word of the query begins one of the words. */
export function matchesWords(words: readonly string[], query: string): boolean {
  return searchWords(query).every((q) => words.some((word) => word.startsWith(q)));
}

/** LIKE pattern of a folded word as a prefix (its wildcards escaped). */
export function prefixPattern(word: string): string {
  return `${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
