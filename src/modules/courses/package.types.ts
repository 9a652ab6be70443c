/**
 * The parsed shape of a SCORM package, stored in course_versions.manifest (jsonb). Written by the
 * package import (modules/courses), read by the player (modules/scorm). Paths are relative to the
 * package folder (course_versions.storage_path, itself relative to DATA_DIR), with every xml:base
 * already applied, forward slashes only.
 */
export type ScormVersion = '1.2' | '2004';

export interface ScoEntry {
  /** The item identifier in the manifest; the attempt key together with the course version. */
  identifier: string;
  title: string;
  /** The launch file path inside the package (xml:base applied), without query string. */
  href: string;
  /** The item's `parameters` (may start with '?' or '#'), to append to the launch URL. */
  parameters: string;
  /** SCORM 1.2 adlcp:masteryscore (0–100), if given. */
  masteryScore: number | null;
  /** SCORM 2004 adlcp:completionThreshold (0–1), if given. */
  completionThreshold: number | null;
  /** SCORM 2004 imsss:minNormalizedMeasure of the primary objective (−1–1), if satisfiedByMeasure. */
  scaledPassingScore: number | null;
  /** adlcp:dataFromLMS / launch data, if given. */
  launchData: string | null;
}

export interface ParsedManifest {
  scormVersion: ScormVersion;
  /** e.g. '1.2', 'CAM 1.3', '2004 3rd Edition', '2004 4th Edition'. */
  schemaVersion: string;
  identifier: string;
  title: string;
  /** The default organization's SCOs in tree order (only items that reference a SCO resource). */
  scos: ScoEntry[];
}
