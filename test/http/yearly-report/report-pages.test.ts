import request from 'supertest';
import { createTestApp, loginAs, type TestApp } from '../../support/app';
import { createEmployee, createUnit, createUser, TEST_PASSWORD } from '../../support/factories';

jest.setTimeout(120_000);

describe('yearly report pages: access and bad input', () => {
  let t: TestApp;
  let hrEmail: string;
  let employeeEmail: string;

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    const unit = await createUnit(t.database.db, { code: 'V', name: 'Virksomheten' });
    const employee = await createEmployee(t.database.db, { unitId: unit.id });
    hrEmail = (await createUser(t.database.db, { isAdmin: true })).email;
    employeeEmail = (await createUser(t.database.db, { employeeId: employee.id })).email;
  });
  afterAll(() => t.close());

  test('when nobody is counted, then HR sees a plain explanation instead of empty tables', async () => {
    const hr = await loginAs(t.app, hrEmail, TEST_PASSWORD);
    const page = await hr.get('/admin/arsrapport?ar=2025').expect(200);
    expect(page.text).toContain('Ingen ansatte teller i rapporten per 31.12.2025');
    expect(page.text).toContain('Det finnes ingen lagrede månedlige øyeblikksbilder');
  });

  test('when the year is in the future or not a year, then the answer is 400 with a message in bokmål', async () => {
    const hr = await loginAs(t.app, hrEmail, TEST_PASSWORD);
    expect((await hr.get('/admin/arsrapport?ar=2027').expect(400)).text).toContain(
      'Årsrapporten for 2027 kan ikke lages før året har begynt.',
    );
    expect((await hr.get('/admin/arsrapport/xlsx?ar=to-tusen').expect(400)).text).toContain(
      'Året må være et årstall.',
    );
  });

  test('when someone without the role asks, then they are sent to log in or refused', async () => {
    const res = await request(t.app).get('/admin/arsrapport?ar=2025').expect(302);
    expect(res.headers.location).toContain('/logg-inn');
    const employee = await loginAs(t.app, employeeEmail, TEST_PASSWORD);
    for (const path of [
      '/admin/arsrapport',
      '/admin/arsrapport/pdf',
      '/leder/arsrapport',
      '/leder/arsrapport/xlsx',
      '/leder/gjennomganger',
    ])
      expect([path, (await employee.get(path)).status]).toEqual([path, 403]);
  });
});
