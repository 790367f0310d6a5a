import { describe, expect, test } from '@jest/globals';
import { RULES } from '#domain/rules.js';
import { FIELD_ERROR_CODES } from '../../apps/api/src/http/field-error-codes.js';
import { RULE_NAMES } from '../../apps/api/src/http/problem-types.js';
import { readFileSync } from 'node:fs';
import { FIELD_ERROR_TEXTS, fieldErrorText, importErrorText, RULE_TEXTS } from '../../apps/web/src/messages.js';

/**
 * Every refusal the service can give has a text for the person at the screen, in both languages:
 * the rule catalogue (libs/domain RULES, and the service's own rules) and the field error codes are
 * read here, never listed, so a rule or code added anywhere fails this test until it has both texts.
 */
describe('messages in the user’s language', () => {
  const lacking = (texts: Record<'nl' | 'en', Record<string, string>>, names: readonly string[]) =>
    names.filter((name) => !(texts.nl[name]?.trim() && texts.en[name]?.trim()));

  test('every rule has a Dutch and an English text', () => {
    expect(Object.keys(RULES).every((rule) => RULE_NAMES.includes(rule))).toBe(true);
    expect(lacking(RULE_TEXTS, RULE_NAMES)).toEqual([]);
  });

  test('every field error code has a Dutch and an English text', () => {
    expect(lacking(FIELD_ERROR_TEXTS, FIELD_ERROR_CODES)).toEqual([]);
  });

  test('the Dutch texts are Dutch: none is the English text, none names the rule or code itself', () => {
    for (const [texts, names] of [
      [RULE_TEXTS, RULE_NAMES],
      [FIELD_ERROR_TEXTS, FIELD_ERROR_CODES],
    ] as const) {
      for (const name of names) {
        expect([name, texts.nl[name] === texts.en[name]]).toEqual([name, false]);
        expect([name, texts.nl[name].includes(name) || texts.en[name].includes(name)]).toEqual([name, false]);
      }
    }
  });

  test("every code of a history import's row errors (docs/import.md) has its own text in both languages", () => {
    const doc = readFileSync('docs/import.md', 'utf8');
    const table = doc.slice(doc.indexOf('## Row errors'), doc.indexOf('\n## ', doc.indexOf('## Row errors') + 1));
    const codes = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1].matchAll(/`([a-z-]+)`/g)].map((m) => m[1]))
      .filter((code) => code !== 'rule');
    expect(codes.length).toBeGreaterThan(15);
    for (const lang of ['nl', 'en'] as const) {
      const general = fieldErrorText(lang, 'invalid');
      expect(codes.filter((code) => importErrorText(lang, { code, rule: null }) === general)).toEqual([]);
    }
    expect(importErrorText('nl', { code: 'rule', rule: 'placement-needs-advice' })).toBe(RULE_TEXTS.nl['placement-needs-advice']);
  });
});
