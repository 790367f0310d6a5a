import { SqlEmploymentRegister, type EmploymentDeclaration } from '#employment-register/employment-register.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { migrateSchema } from '../../apps/worker/src/schema-migrations.js';

/** What the six-month check asks the register, alone and many at once (then in one query). */
describe.each(['pglite', 'postgres'] as const)('the employment register on %s', (kind) => {
  let database: TestDatabase;
  let register: SqlEmploymentRegister;

  const declarations: EmploymentDeclaration[] = [
    { inszHash: 'h-both', employerId: 'vdab', kind: 'ibo', startDate: '2011-07-01', endDate: '2011-12-31' },
    { inszHash: 'h-both', employerId: 'acme', kind: 'employment', startDate: '2011-07-01', endDate: '2011-08-31' },
    { inszHash: 'h-open', employerId: 'acme', kind: 'employment', startDate: '2020-03-01', endDate: null },
  ];
  /** [person, day, expected status]: bounds are inclusive, employment wins over IBO, an open end runs on. */
  const cases: [string, string, 'employment' | 'ibo' | null][] = [
    ['h-both', '2011-06-30', null],
    ['h-both', '2011-07-01', 'employment'],
    ['h-both', '2011-08-31', 'employment'],
    ['h-both', '2011-09-01', 'ibo'],
    ['h-both', '2011-12-31', 'ibo'],
    ['h-both', '2012-01-01', null],
    ['h-open', '2020-02-29', null],
    ['h-open', '2031-01-01', 'employment'],
    ['h-nobody', '2020-01-01', null],
  ];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateSchema(database.db);
    register = await SqlEmploymentRegister.create(database.db);
    await register.record(declarations);
  });
  afterAll(() => database.dispose());

  test.each(cases)('%s on %s: %s', async (inszHash, day, expected) => {
    await expect(register.statusOn(inszHash, day)).resolves.toBe(expected);
  });

  test('many checks asking at once each get their own answer', async () => {
    const asked = Array.from({ length: 300 }, (_, i) => cases[(i * 7) % cases.length]);
    const answers = await Promise.all(asked.map(([inszHash, day]) => register.statusOn(inszHash, day)));
    expect(answers).toEqual(asked.map(([, , expected]) => expected));
  });
});
