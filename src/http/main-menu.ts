/** One link of the main menu as the header renders it. */
export interface MainMenuItem {
  href: string;
  label: string;
  /** The page belongs to this item: the header marks it with aria-current="page". */
  current: boolean;
}

interface MenuEntry {
  href: string;
  label: string;
  /** 'leader-only': leaders who are not HR (HR has its own item for the same report). */
  audience: 'everyone' | 'leader' | 'leader-only' | 'admin';
  /** Other sections that belong to the item, e.g. the mail outbox under reminders. */
  alsoCovers?: string[];
}

/** The main menu, in the order it is shown. */
const MAIN_MENU: readonly MenuEntry[] = [
  { href: '/mine-kurs', label: 'Mine kurs', audience: 'everyone', alsoCovers: ['/kurs', '/kursbevis'] },
  { href: '/leder', label: 'Mine enheter', audience: 'leader' },
  { href: '/admin', label: 'Administrasjon', audience: 'admin' },
  { href: '/admin/import', label: 'Import fra HR', audience: 'admin' },
  { href: '/admin/kurs', label: 'Kurs', audience: 'admin' },
  { href: '/admin/kurskrav', label: 'Kurskrav', audience: 'admin' },
  { href: '/admin/scorm', label: 'Kursforsøk', audience: 'admin' },
  { href: '/admin/rapport', label: 'Rapport', audience: 'admin' },
  { href: '/leder/gjennomganger', label: 'Årlige gjennomganger', audience: 'leader' },
  { href: '/leder/arsrapport', label: 'Årsrapport', audience: 'leader-only' },
  { href: '/admin/arsrapport', label: 'Årsrapport', audience: 'admin' },
  { href: '/admin/paminnelser', label: 'Påminnelser', audience: 'admin', alsoCovers: ['/admin/e-post'] },
];

/** Whether `path` is `prefix` or a page below it: /admin/kurs covers /admin/kurs/3, not /admin/kurskrav. */
function covers(prefix: string, path: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * The main menu for a user on a page. At most one item is current: the one with the longest
 * prefix that covers the path, so /admin/kurs/3 is «Kurs» and not «Administrasjon».
 */
export function buildMainMenu(user: { isAdmin: boolean; isLeader: boolean }, path: string): MainMenuItem[] {
  const visible = MAIN_MENU.filter(
    (entry) =>
      entry.audience === 'everyone' ||
      (entry.audience === 'admin' && user.isAdmin) ||
      (entry.audience === 'leader' && user.isLeader) ||
      (entry.audience === 'leader-only' && user.isLeader && !user.isAdmin),
  );
  let current: MenuEntry | null = null;
  let currentLength = 0;
  for (const entry of visible) {
    for (const prefix of [entry.href, ...(entry.alsoCovers ?? [])]) {
      if (covers(prefix, path) && prefix.length > currentLength) {
        current = entry;
        currentLength = prefix.length;
      }
    }
  }
  return visible.map((entry) => ({ href: entry.href, label: entry.label, current: entry === current }));
}
