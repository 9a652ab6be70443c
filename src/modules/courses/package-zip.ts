import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { PACKAGE_LIMITS, PackageError, formatBytes, type PackageLimits } from './package-limits';

/** Where the zip comes from: a file on disk (uploads, the CLI) or bytes in memory. */
export type ZipSource = { zipPath: string } | { buffer: Buffer };

export interface ExtractedPackage {
  /** Every regular file written, as a forward-slash path relative to the target folder. */
  files: Set<string>;
  /** imsmanifest.xml's bytes (null when the zip has none at its root). */
  manifest: Buffer | null;
  /** sha256 over every file's path and bytes, independent of zip timestamps and entry order. */
  contentHash: string;
  totalBytes: number;
}

const MANIFEST_NAME = 'imsmanifest.xml';
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** Shows a path from the zip in a message without control characters. */
function shown(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 117)}…` : clean;
}

/**
 * Checks one path from the zip; returns a bokmål reason when it is refused. Only plain relative
 * paths with forward slashes are allowed, so nothing can be written outside the package folder.
 */
export function checkEntryPath(name: string, limits: PackageLimits = PACKAGE_LIMITS): string | null {
  if (name.length === 0) return 'Zip-filen har en oppføring uten navn.';
  if (name.includes('\\'))
    return `Stien «${shown(name)}» inneholder omvendt skråstrek (\\). Pakk zip-filen på nytt med et verktøy som bruker vanlige skråstreker (/).`;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name))
    return `Stien «${shown(name)}» er absolutt. Alle filer må ligge inne i pakken.`;
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.includes('..')) return `Stien «${shown(name)}» peker ut av pakken (..).`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `Stien «${shown(name)}» inneholder ugyldige tegn.`;
  if (segments.some((s) => s === '' || s === '.')) return `Stien «${shown(name)}» er ugyldig.`;
  if (name.length > limits.maxPathLength)
    return `Stien «${shown(name)}» er for lang (over ${limits.maxPathLength} tegn).`;
  if (segments.length > limits.maxPathDepth)
    return `Stien «${shown(name)}» har for mange mappenivåer (over ${limits.maxPathDepth}).`;
  return null;
}

function openZip(source: ZipSource): Promise<ZipFile> {
  const options = { lazyEntries: true, validateEntrySizes: true, decodeStrings: false, autoClose: true };
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, zip?: ZipFile) => {
      if (error || !zip) reject(new PackageError('Filen er ikke en gyldig zip-fil, eller den er ødelagt.'));
      else resolve(zip);
    };
    if ('zipPath' in source) yauzl.open(source.zipPath, options, done);
    else yauzl.fromBuffer(source.buffer, options, done);
  });
}

function openEntryStream(zip: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) reject(error ?? new Error('no stream'));
      else resolve(stream);
    });
  });
}

/** Counts and hashes the bytes of one entry, and stops at the limits whatever the header claimed. */
class GuardedCopy extends Transform {
  bytes = 0;
  readonly hash = createHash('sha256');
  readonly chunks: Buffer[] | null;

  constructor(
    private readonly name: string,
    private readonly maxBytes: number,
    keep: boolean,
  ) {
    super();
    this.chunks = keep ? [] : null;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new PackageError(`Filen «${shown(this.name)}» er større enn det zip-filen oppgir.`));
      return;
    }
    this.hash.update(chunk);
    this.chunks?.push(chunk);
    callback(null, chunk);
  }
}

/**
 * Streams a SCORM zip into `targetDir` (which must be a fresh, empty folder), checking every entry
 * against the limits before a byte of it is written. Throws PackageError on the first problem;
 * the caller removes `targetDir` then.
 */
export async function extractPackageZip(
  source: ZipSource,
  targetDir: string,
  limits: PackageLimits = PACKAGE_LIMITS,
): Promise<ExtractedPackage> {
  const zip = await openZip(source);
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new PackageError(`Zip-filen har ${zip.entryCount} oppføringer; grensen er ${limits.maxEntries}.`);
  }
  const root = path.resolve(targetDir);
  const files = new Set<string>();
  const seen = new Set<string>();
  const fileHashes: Array<[string, string]> = [];
  let manifest: Buffer | null = null;
  let declaredTotal = 0;
  let writtenTotal = 0;

  const handleEntry = async (entry: Entry): Promise<void> => {
    const name = yauzl.getFileNameLowLevel(
      entry.generalPurposeBitFlag,
      entry.fileNameRaw,
      entry.extraFields,
      true,
    );
    const pathProblem = checkEntryPath(name, limits);
    if (pathProblem) throw new PackageError(pathProblem);
    const isDir = name.endsWith('/');
    const key = name.replace(/\/$/, '');
    if (seen.has(key) && !isDir)
      throw new PackageError(`Stien «${shown(name)}» finnes to ganger i zip-filen.`);
    seen.add(key);

    const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
    // Unix hosts keep the file type in the upper 16 bits; a symlink type is refused whatever the host says.
    const madeOnUnix = entry.versionMadeBy >> 8 === 3;
    if (mode === S_IFLNK)
      throw new PackageError(
        `«${shown(name)}» er en symbolsk lenke. Lenker er ikke tillatt i en pakke; legg inn selve filen.`,
      );
    if (madeOnUnix && mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR)
      throw new PackageError(`«${shown(name)}» er ikke en vanlig fil eller mappe.`);

    const target = path.resolve(root, ...key.split('/'));
    // Defence in depth: checkEntryPath already refuses everything that could leave the folder.
    if (target !== root && !target.startsWith(root + path.sep))
      throw new PackageError(`Stien «${shown(name)}» peker ut av pakken.`);
    if (isDir) {
      await fs.mkdir(target, { recursive: true });
      return;
    }

    if (entry.isEncrypted())
      throw new PackageError(`Filen «${shown(name)}» er kryptert. Pakken må være uten passord.`);
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
      throw new PackageError(
        `Filen «${shown(name)}» er pakket med en komprimeringsmetode som ikke støttes. Bruk vanlig zip (deflate).`,
      );
    const size = entry.uncompressedSize;
    if (size > limits.maxFileBytes)
      throw new PackageError(
        `Filen «${shown(name)}» er for stor utpakket (${formatBytes(size)}); grensen per fil er ${formatBytes(limits.maxFileBytes)}.`,
      );
    declaredTotal += size;
    if (declaredTotal > limits.maxTotalBytes)
      throw new PackageError(
        `Pakken er for stor utpakket (over ${formatBytes(limits.maxTotalBytes)} til sammen).`,
      );
    if (size > limits.ratioFloorBytes && size > entry.compressedSize * limits.maxCompressionRatio)
      throw new PackageError(
        `Filen «${shown(name)}» er pakket sammen ekstremt mye (over ${limits.maxCompressionRatio} ganger). Slike zip-filer («zip-bomber») avvises.`,
      );
    const isManifest = key === MANIFEST_NAME;
    if (isManifest && size > limits.maxManifestBytes)
      throw new PackageError(
        `imsmanifest.xml er for stor (${formatBytes(size)}); grensen er ${formatBytes(limits.maxManifestBytes)}.`,
      );

    await fs.mkdir(path.dirname(target), { recursive: true });
    const guard = new GuardedCopy(name, size, isManifest);
    try {
      const stream = await openEntryStream(zip, entry);
      await pipeline(stream, guard, createWriteStream(target, { flags: 'wx' }));
    } catch (error) {
      if (error instanceof PackageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR')
        throw new PackageError(`Stien «${shown(name)}» kolliderer med en annen fil eller mappe i zip-filen.`);
      throw new PackageError(`Filen «${shown(name)}» i zip-filen er ødelagt og kan ikke pakkes ut.`);
    }
    writtenTotal += guard.bytes;
    files.add(key);
    fileHashes.push([key, guard.hash.digest('hex')]);
    if (isManifest) manifest = Buffer.concat(guard.chunks!);
  };

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      zip.close();
      reject(
        error instanceof PackageError
          ? error
          : new PackageError('Zip-filen er ødelagt og kan ikke leses helt.'),
      );
    };
    zip.on('entry', (entry: Entry) => {
      handleEntry(entry).then(() => {
        if (!settled) zip.readEntry();
      }, fail);
    });
    zip.on('end', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    zip.on('error', fail);
    zip.readEntry();
  });

  const hash = createHash('sha256');
  for (const [name, digest] of fileHashes.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)))
    hash.update(`${name}\u0000${digest}\n`);
  return { files, manifest, contentHash: hash.digest('hex'), totalBytes: writtenTotal };
}
