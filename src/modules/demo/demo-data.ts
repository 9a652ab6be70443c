import { addDays, addMonths, compareDates, type LocalDate } from '../../lib/dates';

/**
 * The fictional "Eksempel kommune": a deterministic generator (seeded), relative to a reference
 * date, so that every status occurs whatever day the demo is loaded.
 */

export interface DemoUnit {
  code: string;
  name: string;
  parentCode: string | null;
  kind: 'kommune' | 'sektor' | 'virksomhet' | 'avdeling';
}
export interface DemoEmployee {
  employeeNumber: string;
  firstName: string;
  lastName: string;
  email: string | null;
  unitCode: string | null;
  title: string;
  roleTags: string[];
  hireDate: LocalDate;
  endDate: LocalDate | null;
}
export interface DemoLeader {
  employeeNumber: string;
  unitCodes: string[];
}
export interface DemoCompletion {
  employeeNumber: string;
  courseSlug: string;
  completedOn: LocalDate;
  source: 'import' | 'scorm' | 'manual';
  reason: string | null;
}
export interface DemoExemption {
  employeeNumber: string;
  courseSlug: string;
  validFrom: LocalDate;
  validUntil: LocalDate | null;
  reason: string;
}
export interface DemoReview {
  unitCode: string;
  topic: 0 | 1;
  reviewedOn: LocalDate;
  participants: number;
  note: string;
}
export interface DemoData {
  units: DemoUnit[];
  employees: DemoEmployee[];
  leaders: DemoLeader[];
  admin: { email: string; name: string };
  sampleEmployeeEmail: string;
  completions: DemoCompletion[];
  exemptions: DemoExemption[];
  reviews: DemoReview[];
}

export const DEMO_COURSES = [
  {
    slug: 'handlingsplan',
    title: 'Vold i nære relasjoner – handlingsplanen og handlingsveilederen',
    description:
      'Hva vold i nære relasjoner er, hvilke tegn du ser etter, og hva du gjør når du er bekymret.',
    requirement: 'Alle ansatte: handlingsplanen og handlingsveilederen',
  },
  {
    slug: 'meldeplikt',
    title: 'Meldeplikt til barnevernet og avvergeplikt',
    description:
      'Når du må melde til barnevernet, hvordan du gjør det, og når du må avverge en straffbar handling.',
    requirement: 'Alle ansatte: opplysningsplikt og avvergeplikt',
  },
  {
    slug: 'taushetsplikt',
    title: 'Taushetsplikt og deling av opplysninger',
    description: 'Hva taushetsplikten omfatter, og når du kan eller må dele opplysninger.',
    requirement: 'Alle ansatte: taushetsplikt og deling av opplysninger',
  },
] as const;

export const DEMO_REVIEW_TOPICS = [
  'Handlingsveilederen gjennomgått i avdelingen',
  'Meldeplikt og opplysningsplikt gjennomgått',
] as const;

interface UnitSpec extends DemoUnit {
  size: number;
  tags: string[];
  titles: string[];
  leader?: { first: string; last: string; title: string };
}

const UNIT_SPECS: UnitSpec[] = [
  {
    code: 'EK',
    name: 'Eksempel kommune',
    parentCode: null,
    kind: 'kommune',
    size: 3,
    tags: [],
    titles: ['Rådgiver'],
    leader: { first: 'Hanne', last: 'Lie', title: 'Kommunedirektør' },
  },
  {
    code: 'OPP',
    name: 'Oppvekst',
    parentCode: 'EK',
    kind: 'sektor',
    size: 3,
    tags: [],
    titles: ['Rådgiver'],
    leader: { first: 'Trond', last: 'Berg', title: 'Kommunalsjef oppvekst' },
  },
  {
    code: 'OPP-SOL',
    name: 'Solbakken skole',
    parentCode: 'OPP',
    kind: 'virksomhet',
    size: 44,
    tags: ['skole'],
    titles: ['Lærer', 'Lærer', 'Lærer', 'Miljøarbeider', 'Spesialpedagog'],
    leader: { first: 'Ingrid', last: 'Solheim', title: 'Rektor' },
  },
  {
    code: 'OPP-SOL-SFO',
    name: 'Solbakken skolefritidsordning',
    parentCode: 'OPP-SOL',
    kind: 'avdeling',
    size: 12,
    tags: ['skole'],
    titles: ['Assistent', 'Fagarbeider'],
    leader: { first: 'Sofie', last: 'Brekke', title: 'SFO-leder' },
  },
  {
    code: 'OPP-NOR',
    name: 'Nordby skole',
    parentCode: 'OPP',
    kind: 'virksomhet',
    size: 40,
    tags: ['skole'],
    titles: ['Lærer', 'Lærer', 'Miljøterapeut', 'Assistent'],
    leader: { first: 'Lars', last: 'Haugen', title: 'Rektor' },
  },
  {
    code: 'OPP-EIK',
    name: 'Eikely ungdomsskole',
    parentCode: 'OPP',
    kind: 'virksomhet',
    size: 38,
    tags: ['skole'],
    titles: ['Lektor', 'Lærer', 'Sosiallærer', 'Rådgiver'],
    leader: { first: 'Anne', last: 'Strand', title: 'Rektor' },
  },
  {
    code: 'OPP-SOS',
    name: 'Solsikken barnehage',
    parentCode: 'OPP',
    kind: 'virksomhet',
    size: 22,
    tags: ['barnehage'],
    titles: ['Barnehagelærer', 'Barne- og ungdomsarbeider', 'Assistent'],
    leader: { first: 'Mona', last: 'Dahl', title: 'Styrer' },
  },
  {
    code: 'OPP-TUS',
    name: 'Tussilago barnehage',
    parentCode: 'OPP',
    kind: 'virksomhet',
    size: 18,
    tags: ['barnehage'],
    titles: ['Barnehagelærer', 'Barne- og ungdomsarbeider', 'Assistent'],
  },
  {
    code: 'OPP-BJO',
    name: 'Lille Bjørn barnehage',
    parentCode: 'OPP',
    kind: 'virksomhet',
    size: 20,
    tags: ['barnehage'],
    titles: ['Barnehagelærer', 'Pedagogisk leder', 'Assistent'],
    leader: { first: 'Per', last: 'Aas', title: 'Styrer' },
  },
  {
    code: 'HO',
    name: 'Helse og omsorg',
    parentCode: 'EK',
    kind: 'sektor',
    size: 3,
    tags: ['helse'],
    titles: ['Rådgiver'],
    leader: { first: 'Siri', last: 'Moen', title: 'Kommunalsjef helse og omsorg' },
  },
  {
    code: 'HO-HST',
    name: 'Helsestasjon og skolehelsetjeneste',
    parentCode: 'HO',
    kind: 'virksomhet',
    size: 16,
    tags: ['helse'],
    titles: ['Helsesykepleier', 'Jordmor', 'Lege'],
    leader: { first: 'Eva', last: 'Lund', title: 'Virksomhetsleder' },
  },
  {
    code: 'HO-EIK',
    name: 'Eikhaugen sykehjem',
    parentCode: 'HO',
    kind: 'virksomhet',
    size: 8,
    tags: ['helse'],
    titles: ['Sykepleier', 'Merkantil'],
    leader: { first: 'Knut', last: 'Bakke', title: 'Virksomhetsleder' },
  },
  {
    code: 'HO-EIK-A1',
    name: 'Eikhaugen sykehjem, avdeling 1',
    parentCode: 'HO-EIK',
    kind: 'avdeling',
    size: 40,
    tags: ['helse'],
    titles: ['Sykepleier', 'Helsefagarbeider', 'Helsefagarbeider', 'Assistent'],
    leader: { first: 'Linn', last: 'Vik', title: 'Avdelingsleder' },
  },
  {
    code: 'HO-EIK-A2',
    name: 'Eikhaugen sykehjem, avdeling 2',
    parentCode: 'HO-EIK',
    kind: 'avdeling',
    size: 38,
    tags: ['helse'],
    titles: ['Sykepleier', 'Helsefagarbeider', 'Helsefagarbeider', 'Assistent'],
    leader: { first: 'Ahmed', last: 'Hassan', title: 'Avdelingsleder' },
  },
  {
    code: 'HO-HJN',
    name: 'Hjemmetjenesten nord',
    parentCode: 'HO',
    kind: 'virksomhet',
    size: 34,
    tags: ['helse'],
    titles: ['Sykepleier', 'Helsefagarbeider', 'Ergoterapeut'],
    leader: { first: 'Marte', last: 'Holm', title: 'Enhetsleder' },
  },
  {
    code: 'HO-HJS',
    name: 'Hjemmetjenesten sør',
    parentCode: 'HO',
    kind: 'virksomhet',
    size: 32,
    tags: ['helse'],
    titles: ['Sykepleier', 'Helsefagarbeider', 'Fysioterapeut'],
    leader: { first: 'Jonas', last: 'Eide', title: 'Enhetsleder' },
  },
  { code: 'NAV', name: 'NAV', parentCode: 'EK', kind: 'sektor', size: 0, tags: ['nav'], titles: [] },
  {
    code: 'NAV-EK',
    name: 'NAV Eksempel',
    parentCode: 'NAV',
    kind: 'virksomhet',
    size: 30,
    tags: ['nav'],
    titles: ['Veileder', 'Veileder', 'Saksbehandler', 'Sosionom'],
    leader: { first: 'Fatima', last: 'Ali', title: 'NAV-leder' },
  },
];

const FIRST_NAMES = [
  'Anne',
  'Inger',
  'Kari',
  'Marit',
  'Ingrid',
  'Liv',
  'Eva',
  'Berit',
  'Astrid',
  'Bjørg',
  'Hilde',
  'Anna',
  'Solveig',
  'Marianne',
  'Randi',
  'Ida',
  'Nina',
  'Maria',
  'Elisabeth',
  'Kristin',
  'Silje',
  'Ingeborg',
  'Nora',
  'Emma',
  'Sara',
  'Thea',
  'Maja',
  'Amalie',
  'Hanna',
  'Julie',
  'Aisha',
  'Zahra',
  'Agnieszka',
  'Jan',
  'Per',
  'Bjørn',
  'Ole',
  'Lars',
  'Kjell',
  'Knut',
  'Arne',
  'Svein',
  'Thomas',
  'Hans',
  'Geir',
  'Tor',
  'Morten',
  'Terje',
  'Odd',
  'Martin',
  'Erik',
  'Andreas',
  'Jonas',
  'Henrik',
  'Magnus',
  'Sander',
  'Emil',
  'Mohammed',
  'Ali',
  'Tomasz',
  'Oskar',
  'Elias',
  'Aksel',
  'Håkon',
];
const LAST_NAMES = [
  'Hansen',
  'Johansen',
  'Olsen',
  'Larsen',
  'Andersen',
  'Pedersen',
  'Nilsen',
  'Kristiansen',
  'Jensen',
  'Karlsen',
  'Johnsen',
  'Pettersen',
  'Eriksen',
  'Berg',
  'Haugen',
  'Hagen',
  'Johannessen',
  'Andreassen',
  'Jacobsen',
  'Dahl',
  'Jørgensen',
  'Halvorsen',
  'Henriksen',
  'Lund',
  'Sørensen',
  'Jakobsen',
  'Moen',
  'Gundersen',
  'Iversen',
  'Strand',
  'Solberg',
  'Svendsen',
  'Eide',
  'Knutsen',
  'Martinsen',
  'Paulsen',
  'Bakken',
  'Kristoffersen',
  'Mathisen',
  'Lie',
  'Amundsen',
  'Nguyen',
  'Rasmussen',
  'Ahmed',
  'Lunde',
  'Solheim',
  'Berntsen',
  'Nowak',
  'Kowalski',
  'Ali',
  'Myhre',
  'Holm',
  'Brekke',
  'Vik',
  'Aas',
  'Hassan',
  'Nygård',
  'Tangen',
  'Sæther',
  'Haugland',
];

/** A small seeded PRNG (mulberry32) so the demo is the same every time for the same reference date. */
function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    chance: (p: number) => next() < p,
  };
}

function asciiLocal(name: string): string {
  return name
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .normalize('NFD')
    .replace(/[^a-z0-9]/g, '');
}

function randomDateBetween(rnd: ReturnType<typeof createRandom>, from: LocalDate, to: LocalDate): LocalDate {
  const span = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000));
  return addDays(from, rnd.int(0, span));
}

/** Generates the whole demo relative to `today` (a calendar date in Europe/Oslo). */
export function generateDemoData(today: LocalDate, seed = 20231231): DemoData {
  const rnd = createRandom(seed);
  const usedEmails = new Set<string>(['hr@eksempel.kommune.no']);
  const emailFor = (first: string, last: string) => {
    const base = `${asciiLocal(first)}.${asciiLocal(last)}`;
    let email = `${base}@eksempel.kommune.no`;
    for (let n = 2; usedEmails.has(email); n++) email = `${base}${n}@eksempel.kommune.no`;
    usedEmails.add(email);
    return email;
  };

  const units: DemoUnit[] = UNIT_SPECS.map(({ code, name, parentCode, kind }) => ({
    code,
    name,
    parentCode,
    kind,
  }));
  const employees: DemoEmployee[] = [];
  const leaders: DemoLeader[] = [];
  let number = 10001;
  const twentyYearsAgo = addMonths(today, -240);
  const lastYear = addMonths(today, -12);

  const addEmployee = (
    spec: UnitSpec,
    first: string,
    last: string,
    title: string,
    hireDate: LocalDate,
    endDate: LocalDate | null,
  ) => {
    const employee: DemoEmployee = {
      employeeNumber: String(number++),
      firstName: first,
      lastName: last,
      email: emailFor(first, last),
      unitCode: spec.code,
      title,
      roleTags: [...spec.tags],
      hireDate,
      endDate,
    };
    employees.push(employee);
    return employee;
  };

  for (const spec of UNIT_SPECS) {
    if (spec.leader) {
      const leader = addEmployee(
        spec,
        spec.leader.first,
        spec.leader.last,
        spec.leader.title,
        randomDateBetween(rnd, twentyYearsAgo, '2018-01-01'),
        null,
      );
      const codes = [spec.code];
      // One styrer leads two kindergartens, as small units often share a leader.
      if (spec.code === 'OPP-SOS') codes.push('OPP-TUS');
      leaders.push({ employeeNumber: leader.employeeNumber, unitCodes: codes });
    }
    for (let i = 0; i < spec.size; i++) {
      const first = rnd.pick(FIRST_NAMES);
      const last = rnd.pick(LAST_NAMES);
      const roll = rnd.next();
      let hireDate: LocalDate;
      if (roll < 0.72) hireDate = randomDateBetween(rnd, twentyYearsAgo, '2022-12-31');
      else if (roll < 0.86) hireDate = randomDateBetween(rnd, '2023-01-01', lastYear);
      else hireDate = randomDateBetween(rnd, addDays(lastYear, 1), today);
      const ended = rnd.chance(0.05)
        ? randomDateBetween(rnd, maxOf(hireDate, '2023-06-01'), addDays(today, -1))
        : null;
      addEmployee(
        spec,
        first,
        last,
        rnd.pick(spec.titles),
        hireDate,
        ended && compareDates(ended, hireDate) > 0 ? ended : null,
      );
    }
  }

  // New hires whose first-year deadline is within the due-soon window today.
  const sol = UNIT_SPECS.find((u) => u.code === 'OPP-SOL')!;
  const hjn = UNIT_SPECS.find((u) => u.code === 'HO-HJN')!;
  addEmployee(sol, 'Ola', 'Hansen', 'Lærer', addDays(lastYear, 10), null);
  addEmployee(hjn, 'Fride', 'Nygård', 'Helsefagarbeider', addDays(lastYear, 20), null);
  // Data problems HR must see: no e-mail, no unit.
  employees[employees.length - 3]!.email = null;
  employees[40]!.email = null;
  employees.push({
    employeeNumber: String(number++),
    firstName: 'Viktor',
    lastName: 'Uten-Enhet',
    email: emailFor('Viktor', 'Utenenhet'),
    unitCode: null,
    title: 'Vikar',
    roleTags: [],
    hireDate: addMonths(today, -30),
    endDate: null,
  });

  const completions: DemoCompletion[] = [];
  const sampleEmployeeEmail = 'ola.hansen@eksempel.kommune.no';
  // Nobody completes a course after leaving. The record is still drawn, so the random sequence (and
  // with it everything else in the demo) stays as it was.
  const recordWhileEmployed = (employee: DemoEmployee, completion: DemoCompletion) => {
    if (!employee.endDate || compareDates(completion.completedOn, employee.endDate) <= 0)
      completions.push(completion);
  };
  for (const employee of employees) {
    for (const course of DEMO_COURSES) {
      const start = maxOf(employee.hireDate, '2022-01-01');
      if (compareDates(start, today) > 0) continue;
      const profile = rnd.next();
      if (employee.email === sampleEmployeeEmail) continue; // the sample employee starts with nothing done
      if (compareDates(employee.hireDate, '2023-01-01') < 0) {
        // Long-serving staff: history from the first round (2022–2023), many renewed since.
        if (profile < 0.1) continue; // never completed → overdue
        recordWhileEmployed(
          employee,
          historyCompletion(rnd, employee, course.slug, randomDateBetween(rnd, '2022-03-01', '2023-12-31')),
        );
        if (profile < 0.3) continue; // first round only → overdue after the second cycle deadline
        const renewalFrom = '2024-01-10';
        if (compareDates(renewalFrom, today) < 0) {
          recordWhileEmployed(
            employee,
            historyCompletion(
              rnd,
              employee,
              course.slug,
              randomDateBetween(rnd, renewalFrom, minOf(today, '2025-12-31')),
            ),
          );
        }
      } else {
        // Later hires: most complete within their first year, some are late or not yet done.
        if (profile < 0.25) continue;
        const end = minOf(today, addMonths(employee.hireDate, profile < 0.35 ? 15 : 11));
        recordWhileEmployed(
          employee,
          historyCompletion(rnd, employee, course.slug, randomDateBetween(rnd, employee.hireDate, end)),
        );
      }
    }
  }

  const exemptions: DemoExemption[] = [];
  const exemptCandidates = employees.filter((e) => e.endDate === null && e.unitCode?.startsWith('HO-EIK-'));
  for (const employee of exemptCandidates.slice(0, 3)) {
    exemptions.push({
      employeeNumber: employee.employeeNumber,
      courseSlug: 'meldeplikt',
      validFrom: addMonths(today, -4),
      validUntil: addMonths(today, 5),
      reason: 'Langtidssykmeldt, tar kurset når hun eller han er tilbake',
    });
  }

  const reviews: DemoReview[] = [];
  const year = Number(today.slice(0, 4));
  for (const spec of UNIT_SPECS.filter((u) => u.kind === 'virksomhet' || u.kind === 'avdeling')) {
    for (const y of [year - 2, year - 1, year]) {
      for (const topic of [0, 1] as const) {
        if (rnd.chance(y === year ? 0.45 : 0.15)) continue;
        const from = `${y}-01-15`;
        const to = y === year ? addDays(today, -1) : `${y}-12-15`;
        if (compareDates(from, to) > 0) continue;
        reviews.push({
          unitCode: spec.code,
          topic,
          reviewedOn: randomDateBetween(rnd, from, to),
          participants: Math.max(2, Math.round(spec.size * (0.6 + rnd.next() * 0.35))),
          note:
            topic === 0
              ? 'Gikk gjennom handlingsveilederen på personalmøte.'
              : 'Drøftet meldeplikten med eksempler fra egen tjeneste.',
        });
      }
    }
  }

  return {
    units,
    employees,
    leaders,
    admin: { email: 'hr@eksempel.kommune.no', name: 'Hege Rønning (HR)' },
    sampleEmployeeEmail,
    completions,
    exemptions,
    reviews,
  };
}

function historyCompletion(
  rnd: ReturnType<typeof createRandom>,
  employee: DemoEmployee,
  slug: string,
  date: LocalDate,
): DemoCompletion {
  const imported = compareDates(date, '2024-01-01') < 0;
  const source = imported ? 'import' : rnd.chance(0.9) ? 'scorm' : 'manual';
  const reasons = {
    import: 'Historikk fra KS Læring',
    scorm: null,
    manual: 'Gjennomført på personalmøte, registrert av HR',
  };
  return {
    employeeNumber: employee.employeeNumber,
    courseSlug: slug,
    completedOn: date,
    source,
    reason: reasons[source],
  };
}

function maxOf(a: LocalDate, b: LocalDate): LocalDate {
  return compareDates(a, b) >= 0 ? a : b;
}
function minOf(a: LocalDate, b: LocalDate): LocalDate {
  return compareDates(a, b) <= 0 ? a : b;
}
