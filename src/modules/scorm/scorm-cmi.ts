import type { ScoEntry, ScormVersion } from '../courses/package.types';

/**
 * The CMI rules of the player as pure functions: what the LMS owns (read-only fields), how time
 * is written in each SCORM version, and when an attempt counts as completed. The CMI is kept in
 * scorm-again's JSON shape (`loadFromJSON` / `renderCommitCMI`), e.g. `{ core: { lesson_status } }`
 * for 1.2 and `{ completion_status }` for 2004.
 */
export type Cmi = Record<string, unknown>;

export type LaunchMode = 'normal' | 'review';

/** Fields the SCO may read but never write; a commit's values for them are replaced by the server's. */
const READ_ONLY: Record<ScormVersion, string[][]> = {
  '1.2': [
    ['core', 'student_id'],
    ['core', 'student_name'],
    ['core', 'credit'],
    ['core', 'entry'],
    ['core', 'total_time'],
    ['core', 'lesson_mode'],
    ['launch_data'],
    ['comments_from_lms'],
    ['student_data', 'mastery_score'],
    ['student_data', 'max_time_allowed'],
    ['student_data', 'time_limit_action'],
  ],
  '2004': [
    ['learner_id'],
    ['learner_name'],
    ['credit'],
    ['entry'],
    ['total_time'],
    ['mode'],
    ['launch_data'],
    ['comments_from_lms'],
    ['completion_threshold'],
    ['scaled_passing_score'],
    ['max_time_allowed'],
    ['time_limit_action'],
  ],
};

/** Where each version keeps the time of the current session. */
const SESSION_TIME: Record<ScormVersion, string[]> = {
  '1.2': ['core', 'session_time'],
  '2004': ['session_time'],
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getPath(cmi: Cmi, path: string[]): unknown {
  let node: unknown = cmi;
  for (const key of path) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function setPath(cmi: Cmi, path: string[], value: unknown): void {
  let node: Record<string, unknown> = cmi;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function number(value: unknown): number | null {
  const s = text(value).trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Seconds of a SCORM 1.2 CMITimespan (HHHH:MM:SS.SS) or a SCORM 2004 ISO 8601 duration; 0 when unreadable. */
export function parseScormDuration(value: unknown): number {
  const s = text(value).trim();
  const hms = /^(\d{2,4}):(\d{2}):(\d{2})(\.\d{1,2})?$/.exec(s);
  if (hms) return Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3]) + Number(hms[4] ?? 0);
  const iso =
    /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      s,
    );
  if (!iso || s === 'P' || s.endsWith('T')) return 0;
  const [, y, mo, d, h, mi, se] = iso.map((part) => Number(part ?? 0));
  return y! * 365 * 86400 + mo! * 30 * 86400 + d! * 86400 + h! * 3600 + mi! * 60 + se!;
}

/** Whole seconds written the way the SCORM version wants total_time. */
export function formatScormDuration(seconds: number, version: ScormVersion): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (version === '2004') return `PT${h}H${m}M${s}S`;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${h < 10 ? pad(h) : String(h).slice(0, 4)}:${pad(m)}:${pad(s)}`;
}

export function sessionTimeOf(cmi: Cmi, version: ScormVersion): number {
  return parseScormDuration(getPath(cmi, SESSION_TIME[version]));
}

export function exitOf(cmi: Cmi, version: ScormVersion): string {
  return text(version === '1.2' ? getPath(cmi, ['core', 'exit']) : cmi.exit);
}

/** The entry value the server stored at launch. */
export function entryOf(cmi: Cmi, version: ScormVersion): 'ab-initio' | 'resume' | '' {
  const value = text(version === '1.2' ? getPath(cmi, ['core', 'entry']) : cmi.entry);
  return value === 'ab-initio' || value === 'resume' ? value : '';
}

export interface LaunchValues {
  version: ScormVersion;
  sco: ScoEntry;
  learnerId: string;
  learnerName: string;
  mode: LaunchMode;
  /** ab-initio for a new attempt, resume after exit=suspend, otherwise ''. */
  entry: 'ab-initio' | 'resume' | '';
  totalTimeSeconds: number;
}

/**
 * The CMI handed to scorm-again before Initialize: what the learner saved (suspend_data, location,
 * interactions …) with every LMS-owned field set by the server.
 */
export function buildLaunchCmi(saved: Cmi, values: LaunchValues): Cmi {
  const cmi = structuredClone(saved);
  // A new session starts without the old session's exit and time; the SCO writes its own.
  const review = values.mode === 'review';
  if (values.version === '1.2') {
    for (const key of ['exit', 'session_time']) setPath(cmi, ['core', key], undefined);
    setPath(cmi, ['core', 'student_id'], values.learnerId);
    setPath(cmi, ['core', 'student_name'], values.learnerName);
    setPath(cmi, ['core', 'entry'], values.entry);
    setPath(cmi, ['core', 'credit'], review ? 'no-credit' : 'credit');
    setPath(cmi, ['core', 'lesson_mode'], review ? 'review' : 'normal');
    setPath(cmi, ['core', 'total_time'], formatScormDuration(values.totalTimeSeconds, '1.2'));
    setPath(
      cmi,
      ['student_data', 'mastery_score'],
      values.sco.masteryScore === null ? '' : String(values.sco.masteryScore),
    );
    setPath(cmi, ['launch_data'], values.sco.launchData ?? '');
  } else {
    for (const key of ['exit', 'session_time']) delete cmi[key];
    cmi.learner_id = values.learnerId;
    cmi.learner_name = values.learnerName;
    cmi.entry = values.entry;
    cmi.credit = review ? 'no-credit' : 'credit';
    cmi.mode = review ? 'review' : 'normal';
    cmi.total_time = formatScormDuration(values.totalTimeSeconds, '2004');
    if (values.sco.completionThreshold !== null)
      cmi.completion_threshold = String(values.sco.completionThreshold);
    else delete cmi.completion_threshold;
    if (values.sco.scaledPassingScore !== null)
      cmi.scaled_passing_score = String(values.sco.scaledPassingScore);
    else delete cmi.scaled_passing_score;
    cmi.launch_data = values.sco.launchData ?? '';
  }
  return cmi;
}

/**
 * Merges a commit into the stored CMI: the SCO's writable data is taken whole (nothing truncated),
 * while every read-only field keeps the server's value, whatever the client sent.
 */
export function mergeCommittedCmi(stored: Cmi, committed: Cmi, version: ScormVersion): Cmi {
  // Copy-on-write: only the objects on a read-only path are copied, the rest (suspend_data,
  // interactions …) is shared with the commit. Neither input is changed; CMI objects are never
  // changed after they are built, so sharing is safe and a commit costs no deep copy.
  const merged: Cmi = { ...committed };
  const copied = new Set<object>([merged]);
  for (const path of READ_ONLY[version]) {
    let node = merged;
    for (const key of path.slice(0, -1)) {
      const child = node[key];
      let next: Record<string, unknown>;
      if (isObject(child) && copied.has(child)) next = child;
      else {
        next = isObject(child) ? { ...child } : {};
        copied.add(next);
        node[key] = next;
      }
      node = next;
    }
    const last = path[path.length - 1]!;
    const value = getPath(stored, path);
    if (value === undefined) delete node[last];
    else node[last] = isObject(value) || Array.isArray(value) ? structuredClone(value) : value;
  }
  return merged;
}

/** Every path of a stored CMI that the next commit reads, in either SCORM version. */
const COMMIT_CONTEXT_PATHS = [
  ...READ_ONLY['1.2'],
  ...READ_ONLY['2004'],
  SESSION_TIME['1.2'],
  SESSION_TIME['2004'],
];

/**
 * The part of a stored CMI that the next commit reads: the read-only fields (mergeCommittedCmi
 * takes them from the stored CMI) and the session time (sessionTimeOf, so that a repeat of the same
 * launch replaces its time instead of adding it). The commit writer caches this instead of the whole
 * CMI, so that a commit's suspend data and interactions are garbage once they are written. Values
 * are shared, not copied: CMI objects are never changed after they are built.
 */
export function commitContextOf(cmi: Cmi): Cmi {
  const context: Cmi = {};
  for (const path of COMMIT_CONTEXT_PATHS) {
    const value = getPath(cmi, path);
    if (value !== undefined) setPath(context, path, value);
  }
  return context;
}

export interface CompletionResult {
  completed: boolean;
  /** What the server concluded, for the diagnostics page. */
  status: string;
}

/**
 * Whether an attempt is completed, evaluated on the server with the manifest's thresholds, because
 * the SCO's own status fields may be stale or computed by the client.
 */
export function evaluateCompletion(cmi: Cmi, version: ScormVersion, sco: ScoEntry): CompletionResult {
  if (version === '1.2') {
    const status = text(getPath(cmi, ['core', 'lesson_status']));
    const raw = number(getPath(cmi, ['core', 'score', 'raw']));
    if (sco.masteryScore !== null && raw !== null) {
      // mastery_override: with a mastery score and a raw score, the score decides pass or fail.
      const passed = raw >= sco.masteryScore;
      return { completed: passed, status: passed ? 'passed' : 'failed' };
    }
    return { completed: status === 'passed' || status === 'completed', status: status || 'not attempted' };
  }
  let completion = text(cmi.completion_status);
  const progress = number(cmi.progress_measure);
  if (sco.completionThreshold !== null && progress !== null) {
    completion = progress >= sco.completionThreshold ? 'completed' : 'incomplete';
  }
  let success = text(cmi.success_status);
  const scaled = number(getPath(cmi, ['score', 'scaled']));
  if (sco.scaledPassingScore !== null && scaled !== null) {
    success = scaled >= sco.scaledPassingScore ? 'passed' : 'failed';
  }
  return {
    completed: completion === 'completed' && success !== 'failed',
    status: `${completion || 'unknown'}/${success || 'unknown'}`,
  };
}

/** CMI parts that are large and only worth keeping in their latest version (on the attempt). */
const BULKY_FIELDS = ['suspend_data', 'interactions'] as const;

function sizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.length;
  if (isObject(value)) return Object.keys(value).length;
  return 0;
}

/**
 * What the commit history keeps of one commit: everything the SCO sent (statuses, score, exit,
 * times, location, objectives …) except the bulky suspend_data and interactions, which are replaced
 * by their size – the attempt itself holds their latest version whole. Keeps the history row small.
 */
export function summarizeCommitForLog(
  body: { sequence: number; final?: boolean; cmi: Cmi },
  bytes: number,
): Record<string, unknown> {
  const omitted: Record<string, number> = {};
  const strip = (node: Cmi): Cmi => {
    const copy: Cmi = {};
    for (const [key, value] of Object.entries(node)) {
      if ((BULKY_FIELDS as readonly string[]).includes(key)) omitted[key] = sizeOf(value);
      else copy[key] = value;
    }
    return copy;
  };
  const cmi = strip(body.cmi);
  // Shares the body's nested objects: a commit body is never changed after parsing.
  const summary: Record<string, unknown> = { sequence: body.sequence, bytes, cmi };
  if (body.final !== undefined) summary.final = body.final;
  if (Object.keys(omitted).length > 0) summary.omitted = omitted;
  return summary;
}
