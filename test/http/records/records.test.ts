import { and, eq } from 'drizzle-orm';
import type { Agent } from 'supertest';
import { auditLog, completions, exemptions } from '../../../src/db/schema';
import { computeComplianceRows } from '../../../src/modules/compliance/compliance.service';
import { createTestApp, csrfFrom, loginAs, postForm, type TestApp } from '../../support/app';
import {
  createCompletion,
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../../support/factories';

jest.setTimeout(180_000);

describe('manual completions and exemptions by HR', () => {
  let t: TestApp;
  let hr: Agent;
  const ids = { employee: 0, course: 0, requirement: 0, unit: 0, imported: 0 };

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    const db = t.database.db;
    const unit = await createUnit(db, { code: 'SKOLE', name: 'Nordby skole' });
    const employee = await createEmployee(db, { unitId: unit.id, firstName: 'Åse', lastName: 'Ødegård' });
    const { course, requirement } = await createCourseWithRequirement(db, {
      slug: 'meldeplikt',
      title: 'Meldeplikt',
    });
    const imported = await createCompletion(db, {
      employeeId: employee.id,
      courseId: course.id,
      completedOn: '2020-01-10',
      source: 'import',
      reason: 'KS Læring',
    });
    Object.assign(ids, {
      employee: employee.id,
      course: course.id,
      requirement: requirement.id,
      unit: unit.id,
      imported: imported.id,
    });
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
    await createUser(db, { email: 'leder@test.no', leads: [unit.id] });
    await createUser(db, { email: 'ase@test.no', employeeId: employee.id });
    hr = await loginAs(t.app, 'hr@test.no', TEST_PASSWORD);
  });
  afterAll(() => t.close());

  const statusNow = async () => {
    const rows = await computeComplianceRows(
      t.database.db,
      { scope: { kind: 'all' }, employeeId: ids.employee },
      '2026-11-22',
    );
    return rows[0]!.result;
  };

  const post = (path: string, body: Record<string, string>) =>
    postForm(hr, `/admin/ansatt/${ids.employee}/fullforing`, path, body);

  test('when a leader or the employee opens or posts the HR forms, then access is refused', async () => {
    for (const email of ['leder@test.no', 'ase@test.no']) {
      const agent = await loginAs(t.app, email, TEST_PASSWORD);
      const token = csrfFrom((await agent.get('/mine-kurs')).text);
      for (const path of ['fullforing', 'fritak'])
        await agent.get(`/admin/ansatt/${ids.employee}/${path}`).expect(403);
      await agent
        .post(`/admin/ansatt/${ids.employee}/fullforing`)
        .type('form')
        .send({ _csrf: token, courseId: String(ids.course), completedOn: '2026-11-01', reason: 'Forsøk' })
        .expect(403);
      await agent
        .post(`/admin/ansatt/${ids.employee}/fritak/1/annuller`)
        .type('form')
        .send({ _csrf: token, reason: 'Forsøk' })
        .expect(403);
    }
    expect(
      await t.database.db.select().from(completions).where(eq(completions.source, 'manual')),
    ).toHaveLength(0);
  });

  test('when HR opens the employee record, then it links to the completion and exemption forms', async () => {
    const record = await hr.get(`/admin/ansatt/${ids.employee}`).expect(200);
    expect(record.text).toContain(`/admin/ansatt/${ids.employee}/fullforing`);
    expect(record.text).toContain(`/admin/ansatt/${ids.employee}/fritak`);
  });

  test('when the reason is missing or the date is in the future, then nothing is saved and the fields say why', async () => {
    const res = await post(`/admin/ansatt/${ids.employee}/fullforing`, {
      courseId: String(ids.course),
      completedOn: '2026-11-01',
      reason: '',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Skriv en begrunnelse (minst 3 tegn).');
    const future = await post(`/admin/ansatt/${ids.employee}/fullforing`, {
      courseId: String(ids.course),
      completedOn: '2026-12-01',
      reason: 'Kurs på huset',
    });
    expect(future.status).toBe(400);
    expect(future.text).toContain('Datoen kan ikke være fram i tid.');
    expect(
      await t.database.db.select().from(completions).where(eq(completions.source, 'manual')),
    ).toHaveLength(0);
  });

  test('when HR records a completion, then the status changes, the reason is kept and the audit log has it', async () => {
    expect((await statusNow()).status).toBe('overdue');
    const res = await post(`/admin/ansatt/${ids.employee}/fullforing`, {
      courseId: String(ids.course),
      completedOn: '01.11.2026',
      reason: 'Fysisk kurs 1. november',
    });
    expect(res.status).toBe(303);
    const page = await hr.get(res.headers.location!).expect(200);
    expect(page.text).toContain('Fullføringen er registrert.');
    expect(page.text).toContain('Fysisk kurs 1. november');
    const status = await statusNow();
    expect(status.status).toBe('done');
    expect(status.lastCompletion).toBe('2026-11-01');
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'completion.manual'));
    expect(audit[0]!.details).toMatchObject({ completedOn: '2026-11-01', reason: 'Fysisk kurs 1. november' });
  });

  test('when HR voids a completion, then a void row is added, the old row stays and the status goes back', async () => {
    const [manual] = await t.database.db.select().from(completions).where(eq(completions.source, 'manual'));
    const res = await post(`/admin/ansatt/${ids.employee}/fullforing/${manual!.id}/annuller`, {
      reason: 'Registrert på feil person',
    });
    expect(res.status).toBe(303);
    const rows = await t.database.db
      .select()
      .from(completions)
      .where(eq(completions.employeeId, ids.employee));
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.source === 'void')).toMatchObject({
      voidsCompletionId: manual!.id,
      reason: 'Registrert på feil person',
    });
    expect((await statusNow()).status).toBe('overdue');
    const again = await post(`/admin/ansatt/${ids.employee}/fullforing/${manual!.id}/annuller`, {
      reason: 'To ganger',
    });
    expect(again.status).toBe(400);
    expect(again.text).toContain('Fullføringen er allerede annullert eller erstattet.');
    const page = await hr.get(`/admin/ansatt/${ids.employee}/fullforing`).expect(200);
    expect(page.text).toContain(
      `Nei, annullert/erstattet av nr. ${rows.find((r) => r.source === 'void')!.id}`,
    );
    expect(
      await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'completion.void')),
    ).toHaveLength(1);
  });

  test('when HR corrects an imported completion, then the new row replaces the old one', async () => {
    const res = await post(`/admin/ansatt/${ids.employee}/fullforing`, {
      courseId: String(ids.course),
      completedOn: '2025-02-10',
      reason: 'Riktig dato etter kontroll',
      replacesId: String(ids.imported),
    });
    expect(res.status).toBe(303);
    const [replacement] = await t.database.db
      .select()
      .from(completions)
      .where(and(eq(completions.employeeId, ids.employee), eq(completions.voidsCompletionId, ids.imported)));
    expect(replacement).toMatchObject({ source: 'manual', completedOn: '2025-02-10' });
    expect((await statusNow()).lastCompletion).toBe('2025-02-10');
  });

  test('when HR records an exemption without an end date or ending before it starts, then it is refused', async () => {
    const missing = await post(`/admin/ansatt/${ids.employee}/fritak`, {
      requirementId: String(ids.requirement),
      validFrom: '2026-11-01',
      validUntil: '',
      reason: 'Permisjon',
    });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Skriv sluttdatoen som dd.mm.åååå eller åååå-mm-dd.');
    const backwards = await post(`/admin/ansatt/${ids.employee}/fritak`, {
      requirementId: String(ids.requirement),
      validFrom: '2026-11-01',
      validUntil: '2026-10-01',
      reason: 'Permisjon',
    });
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('Sluttdatoen kan ikke være før fra-datoen.');
    expect(await t.database.db.select().from(exemptions)).toHaveLength(0);
  });

  test('when HR records and then voids an exemption, then the status is exempt until voided and both rows stay', async () => {
    const res = await post(`/admin/ansatt/${ids.employee}/fritak`, {
      requirementId: String(ids.requirement),
      validFrom: '2026-11-01',
      validUntil: '30.06.2027',
      reason: 'Foreldrepermisjon',
    });
    expect(res.status).toBe(303);
    const status = await statusNow();
    expect(status.status).toBe('exempt');
    expect(status.reason).toContain('Fritatt til 30.06.2027: Foreldrepermisjon');
    const [exemption] = await t.database.db.select().from(exemptions);
    const voided = await post(`/admin/ansatt/${ids.employee}/fritak/${exemption!.id}/annuller`, {
      reason: 'Permisjonen ble avlyst',
    });
    expect(voided.status).toBe(303);
    const rows = await t.database.db.select().from(exemptions);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.isVoid)).toMatchObject({
      voidsExemptionId: exemption!.id,
      reason: 'Permisjonen ble avlyst',
    });
    expect((await statusNow()).status).not.toBe('exempt');
    const actions = (await t.database.db.select().from(auditLog)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['exemption.create', 'exemption.void']));
  });

  test('when HR opens the completion and exemption histories, then each table has a caption naming the employee', async () => {
    // The tests above leave completions and a voided exemption in the histories.
    const completions = await hr.get(`/admin/ansatt/${ids.employee}/fullforing`).expect(200);
    expect(completions.text).toMatch(
      /<table class="ds-table" data-border="true">\s*<caption class="ds-sr-only">Fullføringer registrert for Åse Ødegård, også annullerte og erstattede<\/caption>/,
    );
    const exemptionsPage = await hr.get(`/admin/ansatt/${ids.employee}/fritak`).expect(200);
    expect(exemptionsPage.text).toMatch(
      /<table class="ds-table" data-border="true">\s*<caption class="ds-sr-only">Fritak registrert for Åse Ødegård, også annullerte<\/caption>/,
    );
  });
});
