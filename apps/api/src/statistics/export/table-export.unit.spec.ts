import ExcelJS from 'exceljs';
import { tableToCsv, tableToXlsx } from './table-export.js';

const rows = [
  { year: 2011, programme: 'SW', stockStart: 4213, growthPct: 4.2, rotationPct: null, fteEnd: 3712.5, suppressed: [] as string[] },
  { year: 2011, programme: 'LDE', stockStart: null, growthPct: -12.5, rotationPct: null, fteEnd: null, suppressed: ['stockStart', 'fteEnd'] },
];

describe('statistics exports', () => {
  test('CSV: a header of the field names, empty cells for null, CRLF line ends', () => {
    expect(tableToCsv(rows)).toBe(
      'year,programme,stockStart,growthPct,rotationPct,fteEnd,suppressed\r\n' + '2011,SW,4213,4.2,,3712.5,\r\n' + '2011,LDE,,-12.5,,,stockStart fteEnd\r\n',
    );
  });

  test('CSV excel-nl: Dutch headers in the plain order, semicolons, decimal commas, a UTF-8 byte-order mark; integers unchanged', () => {
    const text = tableToCsv(rows, 'excel-nl');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(text.slice(1).split('\r\n')).toEqual([
      'Jaar;Programma;Bestand begin;Groei %;Rotatie %;VTE einde;Afgeschermd',
      '2011;SW;4213;4,2;;3712,5;',
      '2011;LDE;;-12,5;;;stockStart fteEnd',
      '',
    ]);
  });

  test('CSV quotes a cell holding the separator, a quote or a line break', () => {
    const odd = [{ name: 'a,b', other: 'say "hi"', semi: 'x;y' }];
    expect(tableToCsv(odd)).toBe('name,other,semi\r\n"a,b","say ""hi""",x;y\r\n');
    expect(tableToCsv(odd, 'excel-nl')).toBe('\uFEFFname;other;semi\r\na,b;"say ""hi""";"x;y"\r\n');
  });

  test('XLSX: one named sheet, a bold header row, numbers stored as numbers, null as an empty cell', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await tableToXlsx(rows, 'flows 2011')) as never);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['flows 2011']);
    const sheet = workbook.getWorksheet('flows 2011')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['year', 'programme', 'stockStart', 'growthPct', 'rotationPct', 'fteEnd', 'suppressed']);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    const sw = sheet.getRow(2);
    expect([sw.getCell(1).value, sw.getCell(3).value, sw.getCell(4).value, sw.getCell(6).value]).toEqual([2011, 4213, 4.2, 3712.5]);
    expect(sw.getCell(3).type).toBe(ExcelJS.ValueType.Number);
    expect(sw.getCell(5).value).toBeNull();
    const lde = sheet.getRow(3);
    expect(lde.getCell(3).value).toBeNull();
    expect(lde.getCell(4).value).toBe(-12.5);
    expect(lde.getCell(7).value).toBe('stockStart fteEnd');
  });

  test('XLSX excel-nl: Dutch headers, same columns; a grouped table carries its group', async () => {
    const workbook = new ExcelJS.Workbook();
    const grouped = [{ group: 'ALL', programme: 'SW', inflow: 12, toWork: 3, suppressed: [] as string[] }];
    await workbook.xlsx.load((await tableToXlsx(grouped, 'outflow 2011', 'excel-nl')) as never);
    expect((workbook.worksheets[0].getRow(1).values as unknown[]).slice(1)).toEqual(['Groep', 'Programma', 'Instroom', 'Uitstroom naar werk', 'Afgeschermd']);
    expect(tableToCsv(grouped).split('\r\n')[0]).toBe('group,programme,inflow,toWork,suppressed');
  });

  test('XLSX: a sheet name Excel refuses is made acceptable', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await tableToXlsx(rows, 'outflow 2006/2011: [a]*?')) as never);
    expect(workbook.worksheets[0].name).toBe('outflow 2006 2011   a');
  });
});
