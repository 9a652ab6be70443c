import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { count } from 'drizzle-orm';
import type { Database } from '../../../src/db/client';
import { courses, courseVersions } from '../../../src/db/schema';
import { importScormPackage, resolvePackageFile } from '../../../src/modules/courses/courses.service';
import { PACKAGE_LIMITS, PackageError } from '../../../src/modules/courses/package-limits';
import { createTestDatabase } from '../../support/db';
import {
  makeZip,
  patchDeclaredSize,
  patchEntryHeader,
  patchName,
  patchVersionMadeBy,
  scorm12Manifest,
  scorm12Zip,
  scorm2004MultiZip,
} from '../../fixtures/scorm/packages';

// Opening a database takes seconds on a busy machine; these tests do real I/O, not timed work.
jest.setTimeout(120_000);

/** Every path under a folder, relative, sorted (folders end with '/'). */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, prefix: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const rel = `${prefix}${e.name}`;
      if (e.isDirectory()) {
        out.push(`${rel}/`);
        await walk(path.join(d, e.name), `${rel}/`);
      } else out.push(rel);
    }
  };
  await walk(dir, '');
  return out.sort();
}

describe('importScormPackage', () => {
  let database: Database;
  let root: string;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    // Each test starts without courses, so that its folder and its rows belong together.
    await database.db.delete(courseVersions);
    await database.db.delete(courses);
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kv-courses-'));
    dataDir = path.join(root, 'data');
    await fs.mkdir(dataDir);
  });
  afterEach(() => fs.rm(root, { recursive: true, force: true }));

  async function countRows() {
    const [c] = await database.db.select({ n: count() }).from(courses);
    const [v] = await database.db.select({ n: count() }).from(courseVersions);
    return { courses: Number(c!.n), versions: Number(v!.n) };
  }

  /** Imports a hostile zip, expects the given message, and checks that nothing was left anywhere. */
  async function expectRefused(
    zip: Buffer,
    message: string | RegExp,
    limits = PACKAGE_LIMITS,
  ): Promise<void> {
    const before = await countRows();
    const error = await importScormPackage(database.db, { dataDir, buffer: zip, limits }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PackageError);
    expect((error as Error).message).toMatch(message);
    // The temporary folder is gone; only the empty packages folder remains, and nothing beside DATA_DIR.
    expect(await tree(dataDir)).toEqual(['packages/']);
    expect(await tree(root)).toEqual(['data/', 'data/packages/']);
    expect(await countRows()).toEqual(before);
  }

  test('when a SCORM 1.2 zip is imported, then the files, the original zip and one version row are in place', async () => {
    const zip = await scorm12Zip();
    const result = await importScormPackage(database.db, { dataDir, buffer: zip });
    expect(result).toMatchObject({ version: 1, created: true, courseSlug: 'brannvern-romning' });
    expect(result.manifest.scos[0]).toMatchObject({ href: 'index.html', masteryScore: 80 });
    const base = `packages/${result.courseId}`;
    expect(await tree(dataDir)).toEqual([
      'packages/',
      `${base}/`,
      `${base}/1.zip`,
      `${base}/1/`,
      `${base}/1/imsmanifest.xml`,
      `${base}/1/index.html`,
    ]);
    expect(await fs.readFile(path.join(dataDir, base, '1.zip'))).toEqual(zip);
    const [row] = await database.db.select().from(courseVersions);
    expect(row).toMatchObject({
      courseId: result.courseId,
      version: 1,
      scormVersion: '1.2',
      title: 'Brannvern & rømning',
      storagePath: `${base}/1`,
      contentHash: result.contentHash,
    });
    expect(row!.manifest).toEqual(result.manifest);
  });

  test('when the same package is uploaded again, then no new version is made and it says so', async () => {
    const first = await importScormPackage(database.db, { dataDir, buffer: await scorm12Zip() });
    const again = await importScormPackage(database.db, {
      dataDir,
      buffer: await scorm12Zip(),
      courseSlug: first.courseSlug,
    });
    expect(again).toMatchObject({ created: false, version: 1, courseVersionId: first.courseVersionId });
    // Without a chosen course, an identical package is recognised too, instead of making a twin course.
    const third = await importScormPackage(database.db, { dataDir, buffer: await scorm12Zip() });
    expect(third).toMatchObject({ created: false, courseId: first.courseId });
    expect(await countRows()).toEqual({ courses: 1, versions: 1 });
  });

  test('when a changed package is uploaded for a course, then it becomes the next version and the old one stays', async () => {
    const first = await importScormPackage(database.db, { dataDir, buffer: await scorm12Zip() });
    const changed = await scorm12Zip([{ name: 'ekstra.css', data: 'body{}' }]);
    const zipPath = path.join(root, 'ny.zip');
    await fs.writeFile(zipPath, changed);
    const second = await importScormPackage(database.db, { dataDir, zipPath, courseSlug: first.courseSlug });
    expect(second).toMatchObject({ created: true, version: 2, courseId: first.courseId });
    expect(second.contentHash).not.toBe(first.contentHash);
    const files = await tree(path.join(dataDir, 'packages', String(first.courseId)));
    expect(files).toEqual(
      expect.arrayContaining(['1/index.html', '2/index.html', '2/ekstra.css', '1.zip', '2.zip']),
    );
  });

  test('when three different packages for one new course are imported at the same time, then they get versions 1, 2 and 3', async () => {
    const zips = await Promise.all(
      [1, 2, 3].map((i) => scorm12Zip([{ name: `v${i}.txt`, data: String(i) }])),
    );
    const results = await Promise.all(
      zips.map((buffer) => importScormPackage(database.db, { dataDir, buffer, courseSlug: 'samtidig' })),
    );
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3]);
    expect(results.filter((r) => r.newCourse)).toHaveLength(1);
    expect(new Set(results.map((r) => r.courseId)).size).toBe(1);
    const files = await fs.readdir(path.join(dataDir, 'packages', String(results[0]!.courseId)));
    expect(files.sort()).toEqual(['1', '1.zip', '2', '2.zip', '3', '3.zip']);
    expect((await fs.readdir(path.join(dataDir, 'packages'))).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('when a course slug that does not exist is given, then a course with that slug is created', async () => {
    const result = await importScormPackage(database.db, {
      dataDir,
      buffer: await scorm2004MultiZip(),
      courseSlug: 'personvern',
    });
    expect(result).toMatchObject({ courseSlug: 'personvern', version: 1 });
    expect(result.manifest.scos).toHaveLength(3);
    expect(resolvePackageFile(dataDir, `packages/${result.courseId}/1`, result.manifest.scos[2]!.href)).toBe(
      path.join(dataDir, `packages/${result.courseId}/1/innhold/pakke/c/c side.html`),
    );
  });

  test('when two new courses get the same title, then the second gets a numbered slug', async () => {
    const a = await importScormPackage(database.db, { dataDir, buffer: await scorm12Zip() });
    const b = await importScormPackage(database.db, {
      dataDir,
      buffer: await scorm12Zip([{ name: 'annen.txt', data: 'x' }]),
    });
    expect([a.courseSlug, b.courseSlug]).toEqual(['brannvern-romning', 'brannvern-romning-2']);
  });

  test('when the course slug is invalid, then it is refused before anything is written', async () => {
    await expect(
      importScormPackage(database.db, { dataDir, buffer: await scorm12Zip(), courseSlug: '../Kurs' }),
    ).rejects.toThrow('Kortnavnet «../Kurs» er ugyldig');
    expect(await tree(dataDir)).toEqual([]);
  });

  describe('hostile and broken zips', () => {
    test('when an entry path contains .., then it is refused', async () => {
      const zip = patchName(
        await scorm12Zip([{ name: 'zz/evil.txt', data: 'x' }]),
        'zz/evil.txt',
        '../evil.txt',
      );
      await expectRefused(zip, 'Stien «../evil.txt» peker ut av pakken (..).');
    });

    test('when an entry path is absolute, then it is refused', async () => {
      const zip = patchName(await scorm12Zip([{ name: 'zevil.txt', data: 'x' }]), 'zevil.txt', '/evil.txt');
      await expectRefused(zip, 'Stien «/evil.txt» er absolutt');
    });

    test('when an entry path has a drive letter, then it is refused', async () => {
      const zip = patchName(
        await scorm12Zip([{ name: 'zzevil.txt', data: 'x' }]),
        'zzevil.txt',
        'C:evil.txt',
      );
      await expectRefused(zip, 'er absolutt');
    });

    test('when an entry path contains a backslash, then it is refused', async () => {
      const zip = patchName(await scorm12Zip([{ name: 'a_b.html', data: 'x' }]), 'a_b.html', 'a\\b.html');
      await expectRefused(zip, 'Stien «a\\b.html» inneholder omvendt skråstrek');
    });

    test('when an entry is a symlink, then it is refused', async () => {
      const zip = await scorm12Zip([{ name: 'lenke.html', data: '/etc/passwd', mode: 0o120777 }]);
      await expectRefused(zip, '«lenke.html» er en symbolsk lenke');
    });

    test('when a symlink entry claims to come from a non-Unix host, then it is still refused', async () => {
      const zip = patchVersionMadeBy(
        await scorm12Zip([{ name: 'lenke.html', data: '/etc/passwd', mode: 0o120777 }]),
        20,
      );
      await expectRefused(zip, '«lenke.html» er en symbolsk lenke');
    });

    test('when an entry is encrypted, then it is refused', async () => {
      const zip = patchEntryHeader(
        await scorm12Zip([{ name: 'hemmelig.html', data: 'x' }]),
        'hemmelig.html',
        {
          setFlags: 0x1,
        },
      );
      await expectRefused(zip, 'Filen «hemmelig.html» er kryptert. Pakken må være uten passord.');
    });

    test('when an entry uses an unsupported compression method, then it is refused', async () => {
      const zip = patchEntryHeader(await scorm12Zip([{ name: 'lzma.bin', data: 'x' }]), 'lzma.bin', {
        compressionMethod: 14,
      });
      await expectRefused(zip, 'Filen «lzma.bin» er pakket med en komprimeringsmetode som ikke støttes');
    });

    test('when the zip has 10 000 entries, then it is refused before any is read', async () => {
      const many = Array.from({ length: 10_000 }, (_, i) => ({
        name: `f/${i}.txt`,
        data: '',
        compress: false,
      }));
      await expectRefused(await scorm12Zip(many), 'Zip-filen har 10002 oppføringer; grensen er 5000.');
    });

    test('when an entry claims to be 1 GB, then it is refused before it is unpacked', async () => {
      const zip = patchDeclaredSize(
        await scorm12Zip([{ name: 'video.mp4', data: 'liten' }]),
        'video.mp4',
        1024 ** 3,
      );
      await expectRefused(
        zip,
        /Filen «video\.mp4» er for stor utpakket \(1,0 GB\); grensen per fil er 200 MB/,
      );
    });

    test('when an entry is a zip bomb with an extreme compression ratio, then it is refused', async () => {
      const zip = await scorm12Zip([{ name: 'nuller.bin', data: Buffer.alloc(20 * 1024 * 1024) }]);
      expect(zip.length).toBeLessThan(200 * 1024);
      await expectRefused(zip, 'Filen «nuller.bin» er pakket sammen ekstremt mye (over 100 ganger)');
    });

    test('when an entry unpacks to more than its header says, then it is refused', async () => {
      const data = randomBytes(4000);
      const zip = patchDeclaredSize(await scorm12Zip([{ name: 'data.bin', data }]), 'data.bin', 100);
      await expectRefused(zip, /ødelagt|større enn det zip-filen oppgir/);
    });

    test('when the files together exceed the total limit, then it is refused', async () => {
      const files = [1, 2, 3].map((i) => ({ name: `del${i}.bin`, data: randomBytes(2000), compress: false }));
      await expectRefused(await scorm12Zip(files), 'Pakken er for stor utpakket (over 5 kB til sammen).', {
        ...PACKAGE_LIMITS,
        maxTotalBytes: 5 * 1024,
      });
    });

    test('when the zip itself is larger than the upload limit, then it is refused', async () => {
      const error = await importScormPackage(database.db, {
        dataDir,
        buffer: await scorm12Zip(),
        limits: { ...PACKAGE_LIMITS, maxZipBytes: 100 },
      }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/^Zip-filen er for stor \(\d+ byte\); grensen er 100 byte\.$/);
      expect(await tree(dataDir)).toEqual([]);
    });

    test('when imsmanifest.xml is missing, then it is refused', async () => {
      const zip = await makeZip([{ name: 'index.html', data: '<html></html>' }]);
      await expectRefused(zip, 'Zip-filen mangler imsmanifest.xml øverst i filen.');
    });

    test('when imsmanifest.xml sits one folder down, then the message says how to zip it', async () => {
      const zip = await makeZip([
        { name: 'kurs/imsmanifest.xml', data: scorm12Manifest() },
        { name: 'kurs/index.html', data: 'x' },
      ]);
      await expectRefused(zip, 'imsmanifest.xml må ligge øverst i zip-filen, men ligger i «kurs/»');
    });

    test('when the manifest declares a DOCTYPE with an entity, then it is refused', async () => {
      const manifest = scorm12Manifest().replace(
        '<manifest',
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n<manifest',
      );
      await expectRefused(await scorm12Zip([], manifest), 'DOCTYPE- eller ENTITY-erklæring');
    });

    test('when the manifest is broken XML, then it is refused', async () => {
      await expectRefused(
        await scorm12Zip([], '<manifest><organizations>'),
        'imsmanifest.xml er ikke gyldig XML',
      );
    });

    test('when the launch file is not in the zip, then it is refused', async () => {
      await expectRefused(
        await scorm12Zip([], scorm12Manifest({ launch: 'start.html' })),
        'Startfilen «start.html» for «Brannvern» finnes ikke i zip-filen.',
      );
    });

    test('when the manifest has no SCO, then it is refused', async () => {
      const manifest = scorm12Manifest().replace('adlcp:scormtype="sco"', 'adlcp:scormtype="asset"');
      await expectRefused(await scorm12Zip([], manifest), 'Manifestet har ingen SCO');
    });

    test('when the file is not a zip at all, then it is refused', async () => {
      await expectRefused(randomBytes(2000), 'Filen er ikke en gyldig zip-fil, eller den er ødelagt.');
    });

    test('when the same path occurs twice, then it is refused', async () => {
      const zip = await scorm12Zip([{ name: 'index.html', data: 'igjen' }]);
      await expectRefused(zip, 'Stien «index.html» finnes to ganger i zip-filen.');
    });
  });

  describe('resolvePackageFile', () => {
    test('when a path is inside the package, then its absolute path is returned; otherwise null', async () => {
      const r = await importScormPackage(database.db, { dataDir, buffer: await scorm2004MultiZip() });
      const sp = `packages/${r.courseId}/1`;
      expect(resolvePackageFile(dataDir, sp, 'innhold/pakke/a/start.html')).toBe(
        path.join(dataDir, sp, 'innhold/pakke/a/start.html'),
      );
      for (const bad of [
        '../1.zip',
        'innhold/../../1.zip',
        '/etc/passwd',
        'innhold\\pakke\\a\\start.html',
        'imsmanifest.xml\u0000.html',
        'innhold',
        'finnes-ikke.html',
        '',
      ])
        expect(resolvePackageFile(dataDir, sp, bad)).toBeNull();
      expect(resolvePackageFile(dataDir, '../../etc', 'passwd')).toBeNull();
      expect(resolvePackageFile(dataDir, 'packages/..', 'data/packages')).toBeNull();
    });

    test('when a symlink inside the package folder points outside, then it is not served', async () => {
      const r = await importScormPackage(database.db, { dataDir, buffer: await scorm12Zip() });
      const sp = `packages/${r.courseId}/1`;
      await fs.writeFile(path.join(root, 'hemmelig.txt'), 'hemmelig');
      await fs.symlink(path.join(root, 'hemmelig.txt'), path.join(dataDir, sp, 'lenke.txt'));
      expect(resolvePackageFile(dataDir, sp, 'lenke.txt')).toBeNull();
    });
  });
});
