import { buildMainMenu } from '../../../src/http/main-menu';

const hrLeader = { isAdmin: true, isLeader: true };
const currentOf = (user: { isAdmin: boolean; isLeader: boolean }, path: string) =>
  buildMainMenu(user, path)
    .filter((item) => item.current)
    .map((item) => item.label);

describe('the main menu', () => {
  test.each([
    ['/mine-kurs', 'Mine kurs'],
    ['/kurs/meldeplikt/start', 'Mine kurs'],
    ['/kursbevis/12', 'Mine kurs'],
    ['/leder', 'Mine enheter'],
    ['/leder/arsrapport', 'Mine enheter'],
    ['/leder/gjennomganger', 'Årlige gjennomganger'],
    ['/admin', 'Administrasjon'],
    ['/admin/', 'Administrasjon'],
    ['/admin/ansatt/4/fullforing', 'Administrasjon'],
    ['/admin/gjennomganger/temaer', 'Administrasjon'],
    ['/admin/import', 'Import fra HR'],
    ['/admin/import/bekreft', 'Import fra HR'],
    ['/admin/kurs', 'Kurs'],
    ['/admin/kurs/3', 'Kurs'],
    ['/admin/kurskrav', 'Kurskrav'],
    ['/admin/kurskrav/ny', 'Kurskrav'],
    ['/admin/scorm/forsok/7', 'Kursforsøk'],
    ['/admin/rapport', 'Rapport'],
    ['/admin/arsrapport', 'Årsrapport'],
    ['/admin/paminnelser', 'Påminnelser'],
    ['/admin/paminnelser/3', 'Påminnelser'],
    ['/admin/e-post', 'Påminnelser'],
    ['/admin/e-post/maler/reminder', 'Påminnelser'],
  ])('when HR who also leads units is on %s, then only «%s» is current', (path, label) => {
    expect(currentOf(hrLeader, path)).toEqual([label]);
  });

  test('when a page is outside every item (the home page, a prefix that only looks alike), then nothing is current', () => {
    for (const path of ['/', '/logg-inn', '/mine-kursbevis', '/administrasjon', '/lederen']) {
      expect([path, currentOf(hrLeader, path)]).toEqual([path, []]);
    }
  });

  test('when the user is an employee or a leader, then HR items are not listed and their pages mark nothing', () => {
    const employee = { isAdmin: false, isLeader: false };
    expect(buildMainMenu(employee, '/mine-kurs')).toEqual([
      { href: '/mine-kurs', label: 'Mine kurs', current: true },
    ]);
    const leader = { isAdmin: false, isLeader: true };
    expect(buildMainMenu(leader, '/leder/gjennomganger').map((i) => i.label)).toEqual([
      'Mine kurs',
      'Mine enheter',
      'Årlige gjennomganger',
      'Årsrapport',
    ]);
    expect(currentOf(leader, '/leder/arsrapport')).toEqual(['Årsrapport']);
    expect(buildMainMenu(leader, '/').find((i) => i.label === 'Årsrapport')!.href).toBe('/leder/arsrapport');
    // HR who also leads has HR's «Årsrapport» only, and the leader's report stays under «Mine enheter».
    expect(buildMainMenu(hrLeader, '/').filter((i) => i.label === 'Årsrapport')).toHaveLength(1);
    expect(currentOf(leader, '/admin/kurs')).toEqual([]);
  });

  test('when HR opens the menu, then import and course requirements are listed next to the pages they belong with', () => {
    expect(buildMainMenu({ isAdmin: true, isLeader: false }, '/').map((i) => [i.label, i.href])).toEqual([
      ['Mine kurs', '/mine-kurs'],
      ['Administrasjon', '/admin'],
      ['Import fra HR', '/admin/import'],
      ['Kurs', '/admin/kurs'],
      ['Kurskrav', '/admin/kurskrav'],
      ['Kursforsøk', '/admin/scorm'],
      ['Rapport', '/admin/rapport'],
      ['Årsrapport', '/admin/arsrapport'],
      ['Påminnelser', '/admin/paminnelser'],
    ]);
  });
});
