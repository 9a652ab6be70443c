import type { ComplianceRow } from '../../../src/modules/compliance/compliance.service';
import type { StatusResult } from '../../../src/modules/compliance/deadline-engine';
import type { EmployeeRecord, RequirementRecord } from '../../../src/modules/compliance/compliance.repo';
import { scheduleOptionsSchema } from '../../../src/modules/reminders/reminders.schema';
import { DEFAULT_TEMPLATES, fillPlaceholders } from '../../../src/modules/mail/templates';
import {
  composeReminder,
  digestSections,
  escalationSections,
} from '../../../src/modules/reminders/reminders.service';
import {
  digestPeriod,
  escalationRecipients,
  nextOverdueNumber,
  overdueHistoryKey,
  selectReminders,
  type LeaderInfo,
  type SelectionInput,
  type UnitInfo,
} from '../../../src/modules/reminders/selection';
import { requirementRecord } from '../../support/records';

const requirement: RequirementRecord = requirementRecord({
  id: 7,
  name: 'Meldeplikt',
  courseId: 3,
  courseSlug: 'meldeplikt',
  courseTitle: 'Meldeplikt',
});

const units: UnitInfo[] = [
  { id: 1, name: 'Kommunen', parentId: null, path: '/1/' },
  { id: 2, name: 'Oppvekst', parentId: 1, path: '/1/2/' },
  { id: 3, name: 'Åsen skole', parentId: 2, path: '/1/2/3/' },
  { id: 4, name: 'Bakken skole', parentId: 2, path: '/1/2/4/' },
  { id: 5, name: 'Åsen skole, SFO', parentId: 3, path: '/1/2/3/5/' },
];
const unitsById = new Map(units.map((u) => [u.id, u]));

let nextId = 100;
function row(
  unitId: number,
  result: Partial<StatusResult> & Pick<StatusResult, 'status' | 'dueDate'>,
  extra: Partial<EmployeeRecord> = {},
): ComplianceRow {
  const id = nextId++;
  const unit = unitsById.get(unitId)!;
  return {
    employee: {
      id,
      employeeNumber: `E${id}`,
      firstName: `Navn${id}`,
      lastName: unit.name.split(' ')[0]!,
      email: `e${id}@k.no`,
      title: null,
      unitId,
      unitCode: `U${unitId}`,
      unitName: unit.name,
      unitPath: unit.path,
      roleTags: [],
      hireDate: '2015-01-01',
      endDate: null,
      ...extra,
    },
    requirement,
    result: { counted: true, lastCompletion: null, reason: '', ...result },
  };
}

const leaderA: LeaderInfo = {
  userId: 11,
  name: 'Leder Åsen',
  email: 'a@k.no',
  units: [{ id: 3, name: 'Åsen skole', path: '/1/2/3/' }],
};
const leaderB: LeaderInfo = {
  userId: 12,
  name: 'Leder Bakken',
  email: 'b@k.no',
  units: [{ id: 4, name: 'Bakken skole', path: '/1/2/4/' }],
};
const leaderBoth: LeaderInfo = {
  userId: 13,
  name: 'Leder av to',
  email: 'to@k.no',
  units: [
    { id: 3, name: 'Åsen skole', path: '/1/2/3/' },
    { id: 4, name: 'Bakken skole', path: '/1/2/4/' },
  ],
};
const sectorLeader: LeaderInfo = {
  userId: 14,
  name: 'Sjef',
  email: 's@k.no',
  units: [{ id: 2, name: 'Oppvekst', path: '/1/2/' }],
};

function input(rows: ComplianceRow[], overrides: Partial<SelectionInput> = {}): SelectionInput {
  const leaders = [leaderA, leaderB, leaderBoth, sectorLeader];
  const leadersByUnit = new Map<number, number[]>();
  for (const l of leaders)
    for (const u of l.units) leadersByUnit.set(u.id, [...(leadersByUnit.get(u.id) ?? []), l.userId]);
  return {
    asOf: '2026-11-23',
    kinds: ['employee_due_soon', 'employee_due_today', 'employee_overdue', 'leader_digest', 'escalation'],
    options: scheduleOptionsSchema.parse({}),
    rows,
    leaders,
    units: unitsById,
    leadersByUnit,
    missingReviews: [],
    overdueHistory: new Map(),
    ...overrides,
  };
}

describe('reminder selection', () => {
  it('when a status is due soon, due today or overdue, then the employee gets the matching kind with its key', () => {
    const soon = row(3, { status: 'due_soon', dueDate: '2026-12-10' });
    const today = row(3, { status: 'due_soon', dueDate: '2026-11-23' });
    const late = row(3, { status: 'overdue', dueDate: '2026-11-20' });
    const done = row(3, { status: 'done', dueDate: '2027-12-31' });
    const out = selectReminders(
      input([soon, today, late, done], {
        kinds: ['employee_due_soon', 'employee_due_today', 'employee_overdue'],
      }),
    );
    expect(out.map((r) => [r.kind, r.employeeId, r.key])).toEqual([
      ['employee_due_soon', soon.employee.id, `employee_due_soon|e${soon.employee.id}|r7|d2026-12-10|varsel`],
      [
        'employee_due_today',
        today.employee.id,
        `employee_due_today|e${today.employee.id}|r7|d2026-11-23|fristdag`,
      ],
      [
        'employee_overdue',
        late.employee.id,
        `employee_overdue|e${late.employee.id}|r7|d2026-11-20|forfalt-1`,
      ],
    ]);
  });

  it('when an employee has no e-mail address, then no employee reminder is planned', () => {
    const r = row(3, { status: 'due_soon', dueDate: '2026-12-10' }, { email: null });
    expect(selectReminders(input([r], { kinds: ['employee_due_soon'] }))).toEqual([]);
  });

  it('when overdue reminders were sent before, then the next waits for the interval and stops at the maximum', () => {
    expect(nextOverdueNumber(undefined, '2026-11-23', 7, 3)).toBe(1);
    expect(nextOverdueNumber({ count: 1, lastOn: '2026-11-20' }, '2026-11-23', 7, 3)).toBeNull();
    expect(nextOverdueNumber({ count: 1, lastOn: '2026-11-16' }, '2026-11-23', 7, 3)).toBe(2);
    expect(nextOverdueNumber({ count: 3, lastOn: '2026-10-01' }, '2026-11-23', 7, 3)).toBeNull();
  });

  it('when a leader of one school gets a digest, then it never names anyone from another school', () => {
    const rows = [
      row(3, { status: 'overdue', dueDate: '2026-10-01' }),
      row(5, { status: 'due_soon', dueDate: '2026-12-01' }),
      row(4, { status: 'overdue', dueDate: '2026-10-01' }),
      row(4, { status: 'due_soon', dueDate: '2026-12-01' }),
    ];
    const digests = selectReminders(input(rows, { kinds: ['leader_digest'] }));
    const of = (userId: number) => digests.find((d) => d.recipient.userId === userId)!.digest!;
    const names = (userId: number) =>
      [...of(userId).overdue, ...of(userId).dueSoon].map((l) => l.employeeId).sort();
    expect(names(11)).toEqual([rows[0]!.employee.id, rows[1]!.employee.id].sort());
    expect(names(12)).toEqual([rows[2]!.employee.id, rows[3]!.employee.id].sort());
    // A leader of two schools gets one digest covering both.
    expect(digests.filter((d) => d.recipient.userId === 13)).toHaveLength(1);
    expect(names(13)).toEqual(rows.map((r) => r.employee.id).sort());
    expect(of(13).unitNames).toEqual(['Åsen skole', 'Bakken skole']);
  });

  it("when nothing in a leader's units needs action, then no digest is planned", () => {
    const rows = [
      row(3, { status: 'done', dueDate: '2027-12-31', lastCompletion: '2025-12-01' }),
      row(4, { status: 'overdue', dueDate: '2026-10-01' }),
    ];
    const digests = selectReminders(input(rows, { kinds: ['leader_digest'] }));
    expect(digests.map((d) => d.recipient.userId).sort()).toEqual([12, 13, 14]);
  });

  it("when a unit has not had this year's review, then only leaders above it see it in the digest", () => {
    const digests = selectReminders(
      input([], {
        kinds: ['leader_digest'],
        missingReviews: [
          {
            unit: { id: 5, code: 'SFO', name: 'Åsen skole, SFO', path: '/1/2/3/5/' },
            topic: { id: 1, title: 'Handlingsveilederen' },
            done: 0,
            required: 1,
          },
        ],
      }),
    );
    expect(digests.map((d) => d.recipient.userId).sort()).toEqual([11, 13, 14]);
    expect(digests[0]!.digest!.missingReviews).toEqual([
      { unitName: 'Åsen skole, SFO', topicTitle: 'Handlingsveilederen' },
    ]);
  });

  it('when people in the units have no e-mail address, then the digest lists each once, for the leaders above them only', () => {
    // Ola has no address and two courses (one done); nothing else in any unit needs action.
    const ola = row(
      5,
      { status: 'done', dueDate: '2027-12-31', lastCompletion: '2025-12-01' },
      { email: null },
    );
    const olaAgain: ComplianceRow = {
      ...row(5, { status: 'done', dueDate: '2027-12-31', lastCompletion: '2025-12-01' }),
      employee: ola.employee,
    };
    const blank = row(
      4,
      { status: 'done', dueDate: '2027-12-31', lastCompletion: '2025-12-01' },
      { email: ' ' },
    );
    const withAddress = row(4, { status: 'done', dueDate: '2027-12-31', lastCompletion: '2025-12-01' });
    const digests = selectReminders(input([ola, olaAgain, blank, withAddress], { kinds: ['leader_digest'] }));
    const of = (userId: number) => digests.find((d) => d.recipient.userId === userId)?.digest;
    const entry = (r: ComplianceRow) => ({
      employeeId: r.employee.id,
      name: `${r.employee.firstName} ${r.employee.lastName}`,
      unitName: r.employee.unitName,
    });
    expect(of(11)!.withoutEmail).toEqual([entry(ola)]);
    expect(of(12)!.withoutEmail).toEqual([entry(blank)]);
    expect(
      of(14)!
        .withoutEmail.map((p) => p.employeeId)
        .sort(),
    ).toEqual([ola.employee.id, blank.employee.id].sort());
    expect(of(11)!.overdue).toEqual([]);

    const sections = digestSections(of(11)!, 'https://kursvakt.test');
    expect(sections.find((x) => x.heading.startsWith('Uten e-postadresse'))).toEqual({
      heading: 'Uten e-postadresse, får ikke påminnelser (1)',
      lines: [
        {
          text: `${entry(ola).name} (Åsen skole, SFO)`,
          href: `https://kursvakt.test/leder/ansatt/${ola.employee.id}`,
        },
      ],
    });
  });

  it("when a new hire's first deadline is within 30 days, then the digest lists them apart from the others", () => {
    const hire = row(3, { status: 'due_soon', dueDate: '2026-12-01' }, { hireDate: '2025-12-01' });
    const digest = selectReminders(input([hire], { kinds: ['leader_digest'] })).find(
      (d) => d.recipient.userId === 11,
    )!.digest!;
    expect(digest.newHires.map((l) => l.employeeId)).toEqual([hire.employee.id]);
    expect(digest.dueSoon).toEqual([]);
  });

  it('when someone is overdue longer than the escalation limit, then the leaders of the nearest unit above with leaders are told', () => {
    const sfo = row(5, { status: 'overdue', dueDate: '2026-09-01' });
    const recent = row(4, { status: 'overdue', dueDate: '2026-11-01' });
    const out = selectReminders(input([sfo, recent], { kinds: ['escalation'] }));
    // SFO's parent is Åsen skole, led by 11 and 13; 22 days overdue is not beyond 30.
    expect(out.map((r) => r.recipient.userId).sort()).toEqual([11, 13]);
    const to11 = out.find((r) => r.recipient.userId === 11)!;
    expect(to11.key).toBe('escalation|2026-11-23|u11');
    expect(to11.escalation!.lines.map((l) => [l.key, l.daysPastDue])).toEqual([
      [`escalation|e${sfo.employee.id}|r7|d2026-09-01|eskalering|u11`, 83],
    ]);
    expect(escalationRecipients(3, unitsById, new Map([[1, [99]]]))).toEqual([99]);
    expect(escalationRecipients(1, unitsById, new Map([[1, [99]]]))).toEqual([]);
  });

  it('when several people below a leader are overdue beyond the limit, then the leader gets one escalation listing them in due-date order', () => {
    const later = row(5, { status: 'overdue', dueDate: '2026-09-20' });
    const earlier = row(5, { status: 'overdue', dueDate: '2026-08-01' });
    const out = selectReminders(input([later, earlier], { kinds: ['escalation'] }));
    const to11 = out.filter((r) => r.recipient.userId === 11);
    expect(to11).toHaveLength(1);
    expect(to11[0]!.escalation!.lines.map((l) => [l.employeeId, l.dueDate])).toEqual([
      [earlier.employee.id, '2026-08-01'],
      [later.employee.id, '2026-09-20'],
    ]);
    expect(to11[0]!.escalation!.limitDays).toBe(30);
  });

  it('when an escalation lists more people than fit, then it counts them per unit first and lists the first 50', () => {
    const rows = [
      ...Array.from({ length: 40 }, () => row(5, { status: 'overdue', dueDate: '2026-09-01' })),
      ...Array.from({ length: 20 }, () => row(3, { status: 'overdue', dueDate: '2026-08-01' })),
    ];
    const toSector = selectReminders(input(rows, { kinds: ['escalation'] })).find(
      (r) => r.recipient.userId === 14,
    )!;
    // The sector leader is the nearest leader above Åsen skole's own people; SFO's go to Åsen skole.
    expect(toSector.escalation!.lines).toHaveLength(20);
    const toSchool = selectReminders(input(rows, { kinds: ['escalation'] })).find(
      (r) => r.recipient.userId === 13,
    )!;
    const sections = escalationSections(
      30,
      [...toSchool.escalation!.lines, ...toSector.escalation!.lines],
      'https://k.test',
    );
    expect(sections.map((x) => x.heading)).toEqual([
      'Per enhet (2)',
      'Forfalt i mer enn 30 dager (60 ansatte)',
    ]);
    expect(sections[0]!.lines).toEqual([
      { text: 'Åsen skole, SFO: 40 ansatte' },
      { text: 'Åsen skole: 20 ansatte' },
    ]);
    expect(sections[1]!.lines).toHaveLength(51);
    expect(sections[1]!.lines[50]).toEqual({ text: '… og 10 til. Se hele listen i Kursvakt.' });
    expect(escalationSections(30, toSector.escalation!.lines.slice(0, 1), 'https://k.test')).toHaveLength(1);
  });

  it('when the digest period is weekly or monthly, then its key and label follow ISO weeks or months', () => {
    expect(digestPeriod('2026-11-23', 'week')).toEqual({ id: '2026-W48', label: 'uke 48, 2026' });
    expect(digestPeriod('2027-01-01', 'week')).toEqual({ id: '2026-W53', label: 'uke 53, 2026' });
    expect(digestPeriod('2026-11-23', 'month')).toEqual({ id: '2026-11', label: 'november 2026' });
  });

  it('when an overdue or due-soon reminder is composed, then it says whether the course was taken before: a renewal names the last completion, a first time says none is registered', () => {
    const renewal = row(3, { status: 'overdue', dueDate: '2026-11-10', lastCompletion: '2024-11-10' });
    const never = row(4, { status: 'overdue', dueDate: '2026-11-10' });
    const renewalSoon = row(3, { status: 'due_soon', dueDate: '2026-12-10', lastCompletion: '2024-12-10' });
    const out = selectReminders(
      input([renewal, never, renewalSoon], { kinds: ['employee_due_soon', 'employee_overdue'] }),
    );
    const textOf = (r: ComplianceRow) => {
      const mail = out.find((m) => m.employeeId === r.employee.id)!;
      return composeReminder(mail, DEFAULT_TEMPLATES, 'https://kursvakt.kommune.no').content.body;
    };
    expect(textOf(renewal)).toContain(
      'Fristen for kurset «Meldeplikt» var 10.11.2026, for 13 dager siden. Du fullførte kurset sist 10.11.2024, og det må tas på nytt. Fullfør det så snart du kan.',
    );
    expect(textOf(renewal)).not.toContain('ikke registrert som fullført');
    expect(textOf(never)).toContain(
      'for 13 dager siden. Kurset er ikke registrert som fullført. Fullfør det så snart du kan.',
    );
    // The placeholder is offered to every employee kind; HR can use it in the due-soon text too.
    const soonMail = out.find((m) => m.employeeId === renewalSoon.employee.id)!;
    const custom = { ...DEFAULT_TEMPLATES, employee_due_soon: { subject: 'Frist', body: '{{status}}' } };
    expect(composeReminder(soonMail, custom, 'https://k.no').content.body).toBe(
      'Du fullførte kurset sist 10.12.2024, og det må tas på nytt.',
    );
  });

  it('when a digest and an escalation are written, then their counts name what they count: units, required courses, people and courses', () => {
    const digest = {
      periodLabel: 'november 2026',
      unitNames: ['Åsen skole'],
      overdue: [],
      dueSoon: [],
      newHires: [],
      missingReviews: [
        { unitName: 'Åsen skole', topicTitle: 'Handlingsveilederen' },
        { unitName: 'Åsen skole', topicTitle: 'Meldeplikt' },
        { unitName: 'Åsen skole, SFO', topicTitle: 'Meldeplikt' },
      ],
      withoutEmail: [],
      rates: [{ unitId: 3, unitName: 'Åsen skole', rate: 0.63, counted: 177 }],
    };
    const sections = digestSections(digest, 'https://k.test');
    expect(sections.find((x) => x.heading.startsWith('Enheter uten'))).toEqual({
      heading: 'Enheter uten årets gjennomgang (2)',
      lines: [
        { text: 'Åsen skole: Handlingsveilederen, Meldeplikt' },
        { text: 'Åsen skole, SFO: Meldeplikt' },
      ],
    });
    expect(sections.find((x) => x.heading === 'Fullføringsgrad')!.lines).toEqual([
      { text: 'Åsen skole: 63 % (177 påkrevde kurs)' },
    ]);

    const line = (employeeId: number, courseTitle: string, daysPastDue: number) => ({
      key: `k-${employeeId}-${courseTitle}`,
      employeeId,
      requirementId: 1,
      name: `Navn ${employeeId}`,
      unitName: 'Åsen skole',
      courseTitle,
      dueDate: '2026-10-01',
      daysPastDue,
    });
    const escalation = escalationSections(
      30,
      [line(1, 'Meldeplikt', 31), line(1, 'Taushetsplikt', 1), line(2, 'Meldeplikt', 53)],
      'https://k.test',
    );
    expect(escalation[0]!.heading).toBe('Forfalt i mer enn 30 dager (2 ansatte, 3 kurs)');
    expect(escalation[0]!.lines.map((l) => l.text.split(', ').pop())).toEqual([
      '31 dager siden',
      '1 dag siden',
      '53 dager siden',
    ]);
  });

  it('when a text says «{{dager}} dager» and the number is 1, then it reads «1 dag», and other numbers are left alone', () => {
    const soon = row(3, { status: 'due_soon', dueDate: '2026-11-24' });
    const late = row(3, { status: 'overdue', dueDate: '2026-11-22' });
    const out = selectReminders(input([soon, late], { kinds: ['employee_due_soon', 'employee_overdue'] }));
    const body = (r: ComplianceRow) =>
      composeReminder(
        out.find((m) => m.employeeId === r.employee.id)!,
        DEFAULT_TEMPLATES,
        'https://k.test',
      ).content.body;
    expect(body(soon)).toContain('innen 24.11.2026, om 1 dag.');
    expect(body(late)).toContain('var 22.11.2026, for 1 dag siden.');
    expect(fillPlaceholders('{{dager}} dager, 11 dager, 21 dager, 0,1 dager', { dager: 1 })).toBe(
      '1 dag, 11 dager, 21 dager, 0,1 dager',
    );
  });

  it('when overdue people are not reminded because of the interval or the maximum, then the run counts them apart', () => {
    const recent = row(3, { status: 'overdue', dueDate: '2026-10-01' });
    const done = row(3, { status: 'overdue', dueDate: '2026-09-01' });
    const due = row(3, { status: 'overdue', dueDate: '2026-08-01' });
    const noAddress = row(3, { status: 'overdue', dueDate: '2026-08-01' }, { email: null });
    const history = new Map([
      [
        overdueHistoryKey(recent.employee.id, requirement.id, '2026-10-01'),
        { count: 1, lastOn: '2026-11-20' },
      ],
      [overdueHistoryKey(done.employee.id, requirement.id, '2026-09-01'), { count: 4, lastOn: '2026-10-20' }],
      [overdueHistoryKey(due.employee.id, requirement.id, '2026-08-01'), { count: 1, lastOn: '2026-11-01' }],
    ]);
    const selection = input([recent, done, due, noAddress], {
      kinds: ['employee_overdue'],
      overdueHistory: history,
    });
    const held = { interval: 0, maxReached: 0 };
    expect(selectReminders(selection, held).map((r) => r.employeeId)).toEqual([due.employee.id]);
    expect(held).toEqual({ interval: 1, maxReached: 1 });
    const none = { interval: 0, maxReached: 0 };
    selectReminders({ ...selection, kinds: ['leader_digest'] }, none);
    expect(none).toEqual({
      interval: 0,
      maxReached: 0,
    });
  });
});
