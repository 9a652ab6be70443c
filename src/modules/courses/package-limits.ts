import { AppError } from '../../lib/errors';

/**
 * Limits for an uploaded SCORM zip. A package that breaks one is refused before anything is
 * written outside its temporary folder. docs/scorm-packages.md explains each of them.
 */
export const PACKAGE_LIMITS = Object.freeze({
  /** The zip file itself (the upload form and the CLI refuse larger files). */
  maxZipBytes: 300 * 1024 * 1024,
  /** Entries (files and folders) in the zip's central directory. */
  maxEntries: 5000,
  /** Sum of every file's unpacked size. */
  maxTotalBytes: 500 * 1024 * 1024,
  /** One file's unpacked size. */
  maxFileBytes: 200 * 1024 * 1024,
  /** imsmanifest.xml's size; it is read into memory to be parsed. */
  maxManifestBytes: 5 * 1024 * 1024,
  /** Unpacked ÷ packed size of one entry; only checked for entries larger than ratioFloorBytes. */
  maxCompressionRatio: 100,
  /** Small files (text, JSON) compress very well and are harmless; the ratio applies above this size. */
  ratioFloorBytes: 1024 * 1024,
  /** Characters in one path inside the zip. */
  maxPathLength: 400,
  /** Folder depth of one path inside the zip. */
  maxPathDepth: 32,
});

export type PackageLimits = typeof PACKAGE_LIMITS;

/** A SCORM zip that was refused; the message is bokmål and tells the uploader what is wrong. */
export class PackageError extends AppError {
  constructor(message: string) {
    super('scorm_package', 422, message);
    this.name = 'PackageError';
  }
}

/** Formats a byte count for a message, e.g. «500 MB». */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 ** 3).toFixed(1).replace('.', ',')} GB`;
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / 1024 ** 2)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${bytes} byte`;
}
