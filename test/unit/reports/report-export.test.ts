import ExcelJS from 'exceljs';
import { toCsv, toXlsx, type ExportTable } from '../../../src/modules/reports/report-export';

const table: ExportTable = {
  name: 'Ansatte',
  columns: ['Ansattnummer', 'Navn', 'Teller', 'Fullføringsgrad (%)'],
  rows: [
    ['1001', 'Åse Ødegård; «sjef»', 12, 75],
    ['1002', '=HYPERLINK("http://x.test","klikk")', 0, null],
    ['1003', '-2+3', 4, 0],
  ],
};

describe('export files', () => {
  test('when a table is written as CSV, then it is UTF-8 with BOM, semicolons, CRLF, and text that Excel would run as a formula is defused', () => {
    const csv = toCsv(table);
    expect(csv.startsWith('\uFEFFAnsattnummer;Navn;Teller;Fullføringsgrad (%)\r\n')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[1]).toBe('1001;"Åse Ødegård; «sjef»";12;75');
    expect(lines[2]).toBe(`1002;"'=HYPERLINK(""http://x.test"",""klikk"")";0;`);
    expect(lines[3]).toBe("1003;'-2+3;4;0");
  });

  test('when tables are written as XLSX, then each is a sheet with the same values, numbers as numbers', async () => {
    const body = await toXlsx([table, { ...table, name: 'Et veldig langt arknavn som er over grensen' }]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Ansatte', 'Et veldig langt arknavn som er ']);
    const sheet = workbook.getWorksheet('Ansatte')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('Ansattnummer');
    expect(sheet.getRow(2).getCell(3).value).toBe(12);
    expect(sheet.getRow(2).getCell(4).value).toBe(75);
    // A string cell in XLSX is never a formula, so it keeps its text.
    expect(sheet.getRow(3).getCell(2).value).toBe('=HYPERLINK("http://x.test","klikk")');
    expect(sheet.getRow(3).getCell(4).value).toBeNull();
  });

  test('when a table has date columns, then CSV holds them as dd.mm.yyyy text and XLSX as date cells shown the same way', async () => {
    const dated: ExportTable = {
      name: 'Ansatte',
      columns: ['Ansattnummer', 'Frist', 'Sist fullført'],
      rows: [
        ['1001', '31.12.2026', '01.02.2024'],
        ['1002', null, null],
      ],
      dateColumns: [1, 2],
    };
    expect(toCsv(dated).slice(1).split('\r\n')[1]).toBe('1001;31.12.2026;01.02.2024');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await toXlsx([dated])) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Ansatte')!;
    const due = sheet.getRow(2).getCell(2);
    expect(due.value).toEqual(new Date(Date.UTC(2026, 11, 31)));
    expect(due.numFmt).toBe('dd.mm.yyyy');
    expect(sheet.getRow(2).getCell(3).value).toEqual(new Date(Date.UTC(2024, 1, 1)));
    expect(sheet.getRow(3).getCell(2).value).toBeNull();
  });
});
