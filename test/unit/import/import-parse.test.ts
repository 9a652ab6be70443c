import {
  detectDelimiter,
  formatIssue,
  parseImportFile,
  type EmployeeRow,
} from '../../../src/modules/import/import.parse';

const employeesHeader =
  'ansattnummer;fornavn;etternavn;epost;enhetskode;stilling;roller;ansattdato;sluttdato';

function messages(kind: 'units' | 'employees' | 'completions', text: string | Buffer): string[] {
  return parseImportFile(kind, text).issues.map(formatIssue);
}

describe('reading HR files', () => {
  test('when the file has a UTF-8 BOM and semicolons, then the rows are read with Norwegian letters intact', () => {
    const text = `\uFEFF${employeesHeader}\n1001;Åse;Ødegård;ase@k.no;SKOLE1;Lærer;skole|barnehage;01.08.2015;\n`;
    const result = parseImportFile('employees', Buffer.from(text, 'utf8'));
    expect(result.issues).toEqual([]);
    expect(result.delimiter).toBe(';');
    expect(result.rows).toEqual<EmployeeRow[]>([
      {
        line: 2,
        employeeNumber: '1001',
        firstName: 'Åse',
        lastName: 'Ødegård',
        email: 'ase@k.no',
        unitCode: 'SKOLE1',
        title: 'Lærer',
        roleTags: ['barnehage', 'skole'],
        hireDate: '2015-08-01',
        endDate: null,
      },
    ]);
  });

  test('when the file uses commas, no BOM, ISO dates and columns in another order with upper-case names, then it reads the same', () => {
    const text =
      'Sluttdato,ANSATTDATO,Roller,Stilling,Enhetskode,Epost,Etternavn,Fornavn,Ansattnummer\n2030-01-31,2015-08-01,skole,"Lærer, 80 %",SKOLE1,ASE@K.NO,Ødegård,Åse,1001\n';
    const result = parseImportFile('employees', Buffer.from(text, 'utf8'));
    expect(result.issues).toEqual([]);
    expect(result.delimiter).toBe(',');
    const row = result.rows[0]!;
    expect(row).toMatchObject({
      employeeNumber: '1001',
      email: 'ase@k.no',
      title: 'Lærer, 80 %',
      hireDate: '2015-08-01',
      endDate: '2030-01-31',
      roleTags: ['skole'],
    });
  });

  test('when the delimiter is guessed, then the header line decides and quoted delimiters are ignored', () => {
    expect(detectDelimiter('a;b;c\n1,2,3')).toBe(';');
    expect(detectDelimiter('a,b,c\n1;2;3')).toBe(',');
    expect(detectDelimiter('"a;x",b,c\n')).toBe(',');
  });

  test('when optional columns are left out, then they are undefined so stored values are kept', () => {
    const result = parseImportFile(
      'employees',
      'ansattnummer;fornavn;etternavn;epost;enhetskode;ansattdato\n7;Per;Hansen;;;1.2.2020\n',
    );
    expect(result.issues).toEqual([]);
    expect(result.rows[0]).toMatchObject({
      email: null,
      unitCode: null,
      title: undefined,
      roleTags: undefined,
      endDate: undefined,
      hireDate: '2020-02-01',
    });
  });

  test('when a date is not real or in another format, then the error names line and column', () => {
    expect(
      messages(
        'employees',
        `${employeesHeader}\n1;A;B;a@k.no;U;;;31.02.2020;\n2;C;D;c@k.no;U;;;2020/01/01;\n`,
      ),
    ).toEqual([
      'Linje 2, kolonne «ansattdato»: «31.02.2020» finnes ikke i kalenderen.',
      'Linje 3, kolonne «ansattdato»: «2020/01/01» er ikke en gyldig dato. Skriv ansattdatoen som dd.mm.åååå eller åååå-mm-dd.',
    ]);
  });

  test('when required values are missing or wrong, then each gets its own message with line and column', () => {
    const text = [
      employeesHeader,
      '1;Anne;Berg;anne@k.no;U;;;01.01.2020;',
      ';Ola;;ola(at)k.no;U;;Skole Leder;;',
      '4;Kari;Lie;kari@k.no;U;;;01.01.2020;31.12.2019',
    ].join('\n');
    expect(messages('employees', text)).toEqual([
      'Linje 3, kolonne «ansattnummer»: Ansattnummeret mangler.',
      'Linje 3, kolonne «etternavn»: Etternavnet mangler.',
      'Linje 3, kolonne «epost»: «ola(at)k.no» er ikke en gyldig e-postadresse.',
      'Linje 3, kolonne «roller»: «skole leder» er ikke en gyldig rolle. Bruk små bokstaver, tall, - og _, og skill rollene med |.',
      'Linje 3, kolonne «ansattdato»: Ansattdatoen mangler.',
      'Linje 4, kolonne «sluttdato»: sluttdatoen er før ansattdatoen.',
    ]);
  });

  test('when the header lacks a column or has an unknown or repeated one, then line 1 names the column', () => {
    expect(messages('units', 'enhetskode;navn\nA;B\n')).toEqual([
      'Linje 1, kolonne «navn»: ukjent kolonne. Gyldige kolonner for enheter er enhetskode, enhetsnavn, overordnet_enhetskode, leder_epost.',
      'Linje 1, kolonne «enhetsnavn»: kolonnen mangler i overskriftsraden. Første linje må være overskriftene.',
    ]);
    expect(messages('completions', 'ansattnummer;kurs;kurs;fullfort_dato\n')).toEqual([
      'Linje 1, kolonne «kurs»: kolonnen står to ganger i overskriften.',
    ]);
  });

  test('when a line has too few fields or a quote is not closed, then the line is named', () => {
    expect(messages('units', 'enhetskode;enhetsnavn\nA;Alfa\nB\n')).toEqual([
      'Linje 3: linjen har 1 felt, men overskriften har 2. Sjekk skilletegnet («;») og anførselstegn.',
    ]);
    expect(messages('units', 'enhetskode;enhetsnavn\nA;Alfa\nB;"Beta\n')).toEqual([
      'Linje 3: et anførselstegn («"») er ikke lukket.',
    ]);
  });

  test('when a key is repeated in the file, then the later line is the error and points to the first', () => {
    expect(
      messages('units', 'enhetskode;enhetsnavn;overordnet_enhetskode\nA;Alfa;\nA;Alfa igjen;\nB;Beta;B\n'),
    ).toEqual([
      'Linje 3, kolonne «enhetskode»: enhetskoden «A» står også på linje 2.',
      'Linje 4, kolonne «overordnet_enhetskode»: en enhet kan ikke være overordnet seg selv.',
    ]);
    expect(
      messages('employees', `${employeesHeader}\n1;A;B;x@k.no;U;;;1.1.2020;\n2;C;D;X@k.no;U;;;1.1.2020;\n`),
    ).toEqual(['Linje 3, kolonne «epost»: e-postadressen «x@k.no» står også på linje 2.']);
  });

  test('when the file is not UTF-8 or empty, then the message says what to do', () => {
    expect(messages('units', Buffer.from([0x65, 0x6e, 0x68, 0x65, 0x74, 0xf8, 0x0a]))).toEqual([
      'Linje 1: filen er ikke lagret som UTF-8. Lagre den som «CSV UTF-8» og prøv igjen.',
    ]);
    expect(messages('units', '\uFEFF\n')).toEqual([
      'Linje 1: filen er tom. Første linje må være en overskriftsrad.',
    ]);
  });

  test('when completions are read, then the course slug is lower-cased, kilde is kept and both date forms work', () => {
    const result = parseImportFile(
      'completions',
      'kurs;ansattnummer;fullført_dato;kilde\nMeldeplikt;1001;05.03.2022;KS Læring\nmeldeplikt;1002;2022-03-06;\n',
    );
    expect(result.issues).toEqual([]);
    expect(result.rows).toEqual([
      {
        line: 2,
        employeeNumber: '1001',
        courseSlug: 'meldeplikt',
        completedOn: '2022-03-05',
        source: 'KS Læring',
      },
      { line: 3, employeeNumber: '1002', courseSlug: 'meldeplikt', completedOn: '2022-03-06', source: null },
    ]);
  });

  test('when units list leaders, then several e-mails split on | and the parent code is kept', () => {
    const result = parseImportFile(
      'units',
      'enhetskode;enhetsnavn;overordnet_enhetskode;leder_epost\nK;Kommunen;;\nS;Skole;K;A@k.no | b@k.no\n',
    );
    expect(result.issues).toEqual([]);
    expect(result.rows).toEqual([
      { line: 2, code: 'K', name: 'Kommunen', parentCode: null, leaderEmails: [] },
      { line: 3, code: 'S', name: 'Skole', parentCode: 'K', leaderEmails: ['a@k.no', 'b@k.no'] },
    ]);
  });
});
