import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { XMLParser } from 'fast-xml-parser';
import yauzl from 'yauzl';
import {
  buildAllCourses,
  buildCourse,
  CourseBuildError,
  type CourseBuildResult,
} from '../../../src/modules/course-build/build';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'courses');
const SAMPLE = path.join(FIXTURES, 'sample');
const KOMMUNE = path.join(FIXTURES, 'kommune.yaml');

/** Reads every entry of a zip into memory, in the order the zip stores them. */
async function readZip(file: string): Promise<Map<string, string>> {
  const zip = await yauzl.openPromise(file);
  const entries = new Map<string, string>();
  try {
    for await (const entry of zip.eachEntry()) {
      entries.set(entry.fileName, await text(await zip.openReadStreamPromise(entry)));
    }
  } finally {
    zip.close();
  }
  return entries;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (name) => name === 'file',
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed manifest is a loose tree
function parseManifest(xml: string): any {
  return parser.parse(xml).manifest;
}

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'kursvakt-course-build-'));
}

/** A copy of the sample course that a test may change without touching the fixture. */
async function copyOfSample(): Promise<{ root: string; course: string; kommune: string }> {
  const root = await tempDir();
  const course = path.join(root, 'sample');
  await fs.cp(SAMPLE, course, { recursive: true });
  const kommune = path.join(root, 'kommune.yaml');
  await fs.copyFile(KOMMUNE, kommune);
  return { root, course, kommune };
}

async function buildError(run: Promise<unknown>): Promise<CourseBuildError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof CourseBuildError) return error;
    throw error;
  }
  throw new Error('The build was expected to fail but succeeded.');
}

describe('course builder', () => {
  const dirs: string[] = [];
  let result: CourseBuildResult;
  let scorm2004: Map<string, string>;
  let scorm12: Map<string, string>;

  beforeAll(async () => {
    const out = await tempDir();
    dirs.push(out);
    result = await buildCourse(SAMPLE, KOMMUNE, out);
    scorm2004 = await readZip(result.zips.scorm2004);
    scorm12 = await readZip(result.zips.scorm12);
  });
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  });

  test('when the sample course is built, then both zips are named by slug and report its version and size', async () => {
    expect(path.basename(result.zips.scorm2004)).toBe('sample-scorm2004.zip');
    expect(path.basename(result.zips.scorm12)).toBe('sample-scorm12.zip');
    expect(result).toMatchObject({ slug: 'sample', version: 3, pages: 3, questions: 3, passMark: 0.8 });
    expect(result.sizes.scorm2004).toBe((await fs.stat(result.zips.scorm2004)).size);
    expect(result.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('when the SCORM 2004 manifest is read, then it declares 4th Edition, a SCO and the pass mark as minimum measure', () => {
    const manifest = parseManifest(scorm2004.get('imsmanifest.xml')!);
    expect(manifest['@_xmlns']).toBe('http://www.imsglobal.org/xsd/imscp_v1p1');
    expect(manifest['@_xmlns:adlcp']).toBe('http://www.adlnet.org/xsd/adlcp_v1p3');
    expect(manifest['@_xmlns:adlseq']).toBe('http://www.adlnet.org/xsd/adlseq_v1p3');
    expect(manifest['@_xmlns:adlnav']).toBe('http://www.adlnet.org/xsd/adlnav_v1p3');
    expect(manifest['@_xmlns:imsss']).toBe('http://www.imsglobal.org/xsd/imsss');
    expect(manifest.metadata).toEqual({ schema: 'ADL SCORM', schemaversion: '2004 4th Edition' });

    const organization = manifest.organizations.organization;
    expect(manifest.organizations['@_default']).toBe(organization['@_identifier']);
    expect(organization.title).toBe('Eksempelkurs for Eksempel kommune');
    const objective = organization.item['imsss:sequencing']['imsss:objectives']['imsss:primaryObjective'];
    expect(objective['@_satisfiedByMeasure']).toBe('true');
    expect(objective['imsss:minNormalizedMeasure']).toBe('0.8');

    const resource = manifest.resources.resource;
    expect(organization.item['@_identifierref']).toBe(resource['@_identifier']);
    expect(resource['@_adlcp:scormType']).toBe('sco');
    expect(resource['@_href']).toBe('index.html');
  });

  test('when the SCORM 1.2 manifest is read, then it declares 1.2, a SCO and the pass mark as mastery score', () => {
    const manifest = parseManifest(scorm12.get('imsmanifest.xml')!);
    expect(manifest['@_xmlns']).toBe('http://www.imsproject.org/xsd/imscp_rootv1p1p2');
    expect(manifest['@_xmlns:adlcp']).toBe('http://www.adlnet.org/xsd/adlcp_rootv1p2');
    expect(manifest.metadata).toEqual({ schema: 'ADL SCORM', schemaversion: '1.2' });
    const item = manifest.organizations.organization.item;
    expect(item['adlcp:masteryscore']).toBe('80');
    const resource = manifest.resources.resource;
    expect(item['@_identifierref']).toBe(resource['@_identifier']);
    expect(resource['@_adlcp:scormtype']).toBe('sco');
    expect(resource['@_href']).toBe('index.html');
  });

  test('when a manifest lists its files, then each one is in the zip and each zip entry but the manifest is listed', () => {
    for (const entries of [scorm2004, scorm12]) {
      const listed: string[] = parseManifest(entries.get('imsmanifest.xml')!).resources.resource.file.map(
        (file: Record<string, string>) => file['@_href'],
      );
      const inZip = [...entries.keys()].filter((name) => name !== 'imsmanifest.xml');
      expect([...listed].sort()).toEqual([...inZip].sort());
      expect(listed).toEqual(
        expect.arrayContaining(['index.html', 'scorm-api.js', 'course.js', 'course.css']),
      );
      expect(listed).toContain('media/telefon.svg');
    }
  });

  test('when the zips are listed, then the entries are sorted and the manifest sits at the root', () => {
    for (const entries of [scorm2004, scorm12]) {
      const names = [...entries.keys()];
      expect(names).toEqual([...names].sort());
      expect(names).toContain('imsmanifest.xml');
    }
  });

  test('when the launch page is read, then it is bokmål, tells the runtime its SCORM version and has the pages in file-name order', () => {
    const html2004 = scorm2004.get('index.html')!;
    expect(html2004).toContain('<html lang="nb" data-scorm="2004">');
    expect(scorm12.get('index.html')).toContain('<html lang="nb" data-scorm="1.2">');
    const headings = [...html2004.matchAll(/<h1 id="side-(\d+)-tittel"[^>]*>([^<]*)<\/h1>/g)].map((m) => [
      Number(m[1]),
      m[2],
    ]);
    // 10-oppsummering.md comes after 02-kontakt.md: page files sort by their number, not as text.
    expect(headings).toEqual([
      [1, 'Velkommen'],
      [2, 'Hvem kontakter du?'],
      [3, 'Oppsummering'],
      [4, 'Test deg selv'],
    ]);
  });

  test('when pages use placeholders and raw HTML, then values are filled in and the HTML is escaped', () => {
    const html = scorm2004.get('index.html')!;
    expect(html).toContain('Ring Barneverntjenesten i Eksempel på <strong>+47 12 34 56 78</strong>');
    expect(html).toContain('href="https://www.eksempel.kommune.no/handlingsveileder_vold"');
    expect(html).toContain('&lt;script&gt;alert');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/\{\{/);
    // Markdown headings inside a page sit below the page's own h1.
    expect(html).toContain('<h2>Hva du lærer</h2>');
    expect(html).toContain('<h2>Når det haster</h2>');
  });

  test('when the quiz data is embedded, then it holds the one correct option of each question', () => {
    const html = scorm2004.get('index.html')!;
    const json = /<script type="application\/json" id="kursdata">(.*?)<\/script>/s.exec(html)![1]!;
    const data = JSON.parse(json);
    expect(data.pageCount).toBe(4);
    expect(data.passMark).toBe(0.8);
    expect(data.questions.map((q: { id: string; correct: number }) => [q.id, q.correct])).toEqual([
      ['kontakt', 0],
      ['haster', 0],
      ['veileder', 0],
    ]);
  });

  test('when the same course is built twice, then the zips are byte for byte the same and so is the hash', async () => {
    const again = await tempDir();
    dirs.push(again);
    const second = await buildCourse(SAMPLE, KOMMUNE, again);
    expect(second.contentHash).toBe(result.contentHash);
    expect(await fs.readFile(second.zips.scorm2004)).toEqual(await fs.readFile(result.zips.scorm2004));
    expect(await fs.readFile(second.zips.scorm12)).toEqual(await fs.readFile(result.zips.scorm12));
  });

  test('when a page or a kommune value it uses changes, then the content hash changes', async () => {
    const copy = await copyOfSample();
    dirs.push(copy.root);
    const unchanged = await buildCourse(copy.course, copy.kommune, path.join(copy.root, 'out'));
    expect(unchanged.contentHash).toBe(result.contentHash);

    const page = path.join(copy.course, 'pages', '10-oppsummering.md');
    await fs.appendFile(page, '\nEn ny setning.\n');
    const editedPage = await buildCourse(copy.course, copy.kommune, path.join(copy.root, 'out'));
    expect(editedPage.contentHash).not.toBe(result.contentHash);

    const kommune = await fs.readFile(copy.kommune, 'utf8');
    await fs.writeFile(copy.kommune, kommune.replace('+47 12 34 56 78', '+47 87 65 43 21'));
    const editedKommune = await buildCourse(copy.course, copy.kommune, path.join(copy.root, 'out'));
    expect(editedKommune.contentHash).not.toBe(editedPage.contentHash);
  });

  test('when a page uses an unknown placeholder, then the build fails naming the file and the placeholder', async () => {
    const copy = await copyOfSample();
    dirs.push(copy.root);
    const page = path.join(copy.course, 'pages', '02-kontakt.md');
    await fs.appendFile(page, '\nRing {{kontakter.helsesykepleier.telefon}}.\n');
    const error = await buildError(buildCourse(copy.course, copy.kommune, path.join(copy.root, 'out')));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain('{{kontakter.helsesykepleier.telefon}}');
    expect(error.problems[0]).toContain(path.join('pages', '02-kontakt.md'));
    expect(error.message).toContain('Kurset kunne ikke bygges');
    await expect(fs.stat(path.join(copy.root, 'out', 'sample-scorm2004.zip'))).rejects.toThrow();
  });

  test('when a kommune value holds HTML and Markdown characters, then the page shows them as text', async () => {
    const copy = await copyOfSample();
    dirs.push(copy.root);
    const kommune = await fs.readFile(copy.kommune, 'utf8');
    await fs.writeFile(
      copy.kommune,
      kommune.replace('navn: Eksempel kommune', "navn: '<b>Nord_*Sør*</b> & Co'"),
    );
    const built = await buildCourse(copy.course, copy.kommune, path.join(copy.root, 'out'));
    const html = (await readZip(built.zips.scorm12)).get('index.html')!;
    expect(html).toContain('ansatte i &lt;b&gt;Nord_*Sør*&lt;/b&gt; &amp; Co.');
    expect(html).toContain(
      '<p class="kurstittel">Eksempelkurs for &lt;b&gt;Nord_*Sør*&lt;/b&gt; &amp; Co</p>',
    );
    expect(html).not.toContain('<b>Nord');
  });

  test('when a question has two correct options and a duplicate id, then the build lists both problems in quiz.yaml', async () => {
    const copy = await copyOfSample();
    dirs.push(copy.root);
    const quizFile = path.join(copy.course, 'quiz.yaml');
    const quiz = await fs.readFile(quizFile, 'utf8');
    await fs.writeFile(
      quizFile,
      quiz
        .replace(
          'correct: false\n        feedback: Nei, du har',
          'correct: true\n        feedback: Nei, du har',
        )
        .replace('id: veileder', 'id: haster'),
    );
    const error = await buildError(buildCourse(copy.course, copy.kommune, path.join(copy.root, 'out')));
    expect(error.problems).toHaveLength(2);
    expect(error.problems.every((p) => p.includes('quiz.yaml'))).toBe(true);
    expect(error.problems.join('\n')).toContain('nøyaktig ett riktig svaralternativ');
    expect(error.problems.join('\n')).toContain('egen id');
  });

  test('when the quiz has its own pass mark, then both manifests and the page use it instead of the course pass mark', async () => {
    const copy = await copyOfSample();
    dirs.push(copy.root);
    const quizFile = path.join(copy.course, 'quiz.yaml');
    await fs.writeFile(quizFile, `passMark: 0.65\n${await fs.readFile(quizFile, 'utf8')}`);
    const built = await buildCourse(copy.course, copy.kommune, path.join(copy.root, 'out'));
    expect(built.passMark).toBe(0.65);
    const files2004 = await readZip(built.zips.scorm2004);
    const item2004 = parseManifest(files2004.get('imsmanifest.xml')!).organizations.organization.item;
    expect(
      item2004['imsss:sequencing']['imsss:objectives']['imsss:primaryObjective'][
        'imsss:minNormalizedMeasure'
      ],
    ).toBe('0.65');
    const item12 = parseManifest((await readZip(built.zips.scorm12)).get('imsmanifest.xml')!).organizations
      .organization.item;
    expect(item12['adlcp:masteryscore']).toBe('65');
    expect(files2004.get('index.html')).toContain('Du består med minst 65\u00a0% riktige svar.');
  });

  test('when a page shows an image that is not in the media folder, then the build fails', async () => {
    const copy = await copyOfSample();
    dirs.push(copy.root);
    await fs.rm(path.join(copy.course, 'media', 'telefon.svg'));
    const error = await buildError(buildCourse(copy.course, copy.kommune, path.join(copy.root, 'out')));
    expect(error.problems).toEqual([expect.stringContaining('media/telefon.svg')]);
  });

  test('when all courses under a folder are built, then each course folder gives its pair of zips', async () => {
    const copy = await copyOfSample();
    dirs.push(copy.root);
    const second = path.join(copy.root, 'andre');
    await fs.cp(copy.course, second, { recursive: true });
    const courseFile = path.join(second, 'course.yaml');
    await fs.writeFile(
      courseFile,
      (await fs.readFile(courseFile, 'utf8')).replace('slug: sample', 'slug: andre'),
    );
    await fs.mkdir(path.join(copy.root, 'ikke-et-kurs'));

    const out = path.join(copy.root, 'dist');
    const results = await buildAllCourses(copy.root, out);
    expect(results.map((r) => r.slug)).toEqual(['andre', 'sample']);
    expect((await fs.readdir(out)).sort()).toEqual([
      'andre-scorm12.zip',
      'andre-scorm2004.zip',
      'sample-scorm12.zip',
      'sample-scorm2004.zip',
    ]);
  });
});
