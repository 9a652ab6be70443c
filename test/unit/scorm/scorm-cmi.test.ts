import type { ScoEntry } from '../../../src/modules/courses/package.types';
import {
  buildLaunchCmi,
  commitContextOf,
  evaluateCompletion,
  formatScormDuration,
  mergeCommittedCmi,
  parseScormDuration,
  sessionTimeOf,
  summarizeCommitForLog,
} from '../../../src/modules/scorm/scorm-cmi';
import {
  LaunchTokenError,
  signLaunchToken,
  verifyLaunchToken,
} from '../../../src/modules/scorm/launch-token';

const sco = (over: Partial<ScoEntry> = {}): ScoEntry => ({
  identifier: 'sco-1',
  title: 'Del 1',
  href: 'index.html',
  parameters: '',
  masteryScore: null,
  completionThreshold: null,
  scaledPassingScore: null,
  launchData: null,
  ...over,
});

describe('SCORM time values', () => {
  test.each([
    ['00:01:30', 90],
    ['0001:00:00.50', 3600.5],
    ['PT1H2M3S', 3723],
    ['PT0.5S', 0.5],
    ['P1DT1S', 86401],
    ['', 0],
    ['PT', 0],
    ['tull', 0],
  ])('when %p is parsed, then it is %p seconds', (value, seconds) => {
    expect(parseScormDuration(value)).toBe(seconds);
  });

  test('when seconds are formatted, then 1.2 gets HH:MM:SS and 2004 an ISO duration', () => {
    expect(formatScormDuration(3723, '1.2')).toBe('01:02:03');
    expect(formatScormDuration(3723, '2004')).toBe('PT1H2M3S');
    expect(formatScormDuration(-5, '2004')).toBe('PT0H0M0S');
  });
});

describe('completion evaluated on the server', () => {
  test('when SCORM 1.2 has a mastery score and a raw score, then the score decides, whatever lesson_status says', () => {
    const s = sco({ masteryScore: 80 });
    expect(
      evaluateCompletion({ core: { lesson_status: 'passed', score: { raw: '79' } } }, '1.2', s).completed,
    ).toBe(false);
    expect(
      evaluateCompletion({ core: { lesson_status: 'incomplete', score: { raw: '80' } } }, '1.2', s).completed,
    ).toBe(true);
  });

  test('when SCORM 1.2 has no score, then passed or completed counts and failed or incomplete does not', () => {
    for (const [status, done] of [
      ['passed', true],
      ['completed', true],
      ['failed', false],
      ['incomplete', false],
      ['browsed', false],
    ] as const)
      expect([
        status,
        evaluateCompletion({ core: { lesson_status: status } }, '1.2', sco()).completed,
      ]).toEqual([status, done]);
  });

  test('when SCORM 2004 reports progress against a completion threshold, then the threshold decides', () => {
    const s = sco({ completionThreshold: 0.8 });
    expect(
      evaluateCompletion({ completion_status: 'completed', progress_measure: '0.5' }, '2004', s).completed,
    ).toBe(false);
    expect(
      evaluateCompletion({ completion_status: 'incomplete', progress_measure: '0.8' }, '2004', s).completed,
    ).toBe(true);
  });

  test('when SCORM 2004 has a scaled passing score, then a lower score fails even if the SCO says passed', () => {
    const s = sco({ scaledPassingScore: 0.7 });
    const base = { completion_status: 'completed' };
    expect(
      evaluateCompletion({ ...base, success_status: 'passed', score: { scaled: '0.6' } }, '2004', s)
        .completed,
    ).toBe(false);
    expect(
      evaluateCompletion({ ...base, success_status: 'unknown', score: { scaled: '0.7' } }, '2004', s)
        .completed,
    ).toBe(true);
    expect(evaluateCompletion({ ...base, success_status: 'failed' }, '2004', sco()).completed).toBe(false);
    expect(evaluateCompletion({ ...base, success_status: 'unknown' }, '2004', sco()).completed).toBe(true);
  });
});

describe('read-only fields and the launch CMI', () => {
  test('when a 2004 commit rewrites LMS-owned fields, then the stored values win and everything else is taken whole', () => {
    const stored = {
      learner_id: 'A-1',
      credit: 'credit',
      mode: 'normal',
      scaled_passing_score: '0.8',
      suspend_data: 'gammel',
    };
    const committed = {
      learner_id: 'X',
      credit: 'no-credit',
      mode: 'review',
      scaled_passing_score: '0',
      suspend_data: 'ny',
      interactions: { '0': { id: 'q1' } },
    };
    expect(mergeCommittedCmi(stored, committed, '2004')).toEqual({
      learner_id: 'A-1',
      credit: 'credit',
      mode: 'normal',
      scaled_passing_score: '0.8',
      suspend_data: 'ny',
      interactions: { '0': { id: 'q1' } },
    });
  });

  test('when a 1.2 commit is merged, then neither the stored nor the committed CMI is changed', () => {
    const stored = { core: { student_id: 'A-1', entry: 'resume', lesson_status: 'incomplete' } };
    const committed = {
      core: { student_id: 'X', entry: 'ab-initio', lesson_status: 'passed' },
      suspend_data: 'ny',
      interactions: { '0': { id: 'q1' } },
    };
    const storedCopy = structuredClone(stored);
    const committedCopy = structuredClone(committed);
    const merged = mergeCommittedCmi(stored, committed, '1.2');
    expect(merged.core).toEqual({ student_id: 'A-1', entry: 'resume', lesson_status: 'passed' });
    expect(merged.suspend_data).toBe('ny');
    expect(stored).toEqual(storedCopy);
    expect(committed).toEqual(committedCopy);
  });

  test('when a commit is summarised for the history, then suspend_data and interactions are replaced by their size and the rest is kept', () => {
    const body = {
      sequence: 100003,
      final: true,
      cmi: {
        core: { lesson_status: 'passed', score: { raw: '90' }, exit: '' },
        suspend_data: 'x'.repeat(5000),
        interactions: { '0': { id: 'q1' }, '1': { id: 'q2' } },
        objectives: { '0': { id: 'mål-1', status: 'passed' } },
      },
    };
    expect(summarizeCommitForLog(body, 5321)).toEqual({
      sequence: 100003,
      final: true,
      bytes: 5321,
      cmi: {
        core: { lesson_status: 'passed', score: { raw: '90' }, exit: '' },
        objectives: { '0': { id: 'mål-1', status: 'passed' } },
      },
      omitted: { suspend_data: 5000, interactions: 2 },
    });
    expect(summarizeCommitForLog({ sequence: 1, cmi: { completion_status: 'completed' } }, 40)).toEqual({
      sequence: 1,
      bytes: 40,
      cmi: { completion_status: 'completed' },
    });
  });

  test('when a review launch is built, then credit is no-credit, the mode is review and the old exit is dropped', () => {
    const cmi = buildLaunchCmi(
      { core: { exit: 'suspend', session_time: '00:01:00', lesson_location: '4' }, suspend_data: 's' },
      {
        version: '1.2',
        sco: sco({ masteryScore: 75, launchData: 'x=1' }),
        learnerId: 'A-1',
        learnerName: 'Ask, Anna',
        mode: 'review',
        entry: '',
        totalTimeSeconds: 61,
      },
    );
    expect(cmi).toEqual({
      core: {
        lesson_location: '4',
        student_id: 'A-1',
        student_name: 'Ask, Anna',
        entry: '',
        credit: 'no-credit',
        lesson_mode: 'review',
        total_time: '00:01:01',
      },
      suspend_data: 's',
      student_data: { mastery_score: '75' },
      launch_data: 'x=1',
    });
  });
});

describe('launch tokens', () => {
  const secret = 'a'.repeat(40);
  const now = new Date('2026-11-22T10:00:00Z');
  const token = { a: 7, u: 3, l: 'abc', b: 100000, m: 'normal' as const, e: now.getTime() / 1000 + 60 };

  test('when a token is signed and verified with the same secret before expiry, then it round-trips', () => {
    expect(verifyLaunchToken(secret, signLaunchToken(secret, token), now)).toEqual(token);
  });

  test('when the secret differs, the payload is changed or the time is up, then it is refused', () => {
    const signed = signLaunchToken(secret, token);
    expect(() => verifyLaunchToken('b'.repeat(40), signed, now)).toThrow(LaunchTokenError);
    const other = signLaunchToken(secret, { ...token, a: 8 });
    expect(() => verifyLaunchToken(secret, `${other.split('.')[0]}.${signed.split('.')[1]}`, now)).toThrow(
      'ugyldig',
    );
    expect(() => verifyLaunchToken(secret, signed, new Date(now.getTime() + 61_000))).toThrow('utløpt');
  });
});

describe('what the commit writer keeps of a stored CMI', () => {
  const readOnlyCore12 = {
    student_id: 'A-1',
    student_name: 'Ask, Anna',
    credit: 'credit',
    entry: 'resume',
    total_time: '00:12:00',
    lesson_mode: 'normal',
  };
  const studentData12 = { mastery_score: '80', max_time_allowed: '', time_limit_action: '' };
  const stored12 = {
    core: {
      ...readOnlyCore12,
      lesson_status: 'incomplete',
      lesson_location: '7',
      session_time: '00:03:10',
      score: { raw: '40' },
    },
    launch_data: 'side=3',
    student_data: studentData12,
    suspend_data: 'x'.repeat(4000),
    interactions: { '0': { id: 'q1', result: 'correct' } },
  };
  const readOnly2004 = {
    learner_id: 'A-1',
    learner_name: 'Ask, Anna',
    credit: 'credit',
    entry: 'resume',
    total_time: 'PT12M',
    mode: 'normal',
    completion_threshold: '0.8',
    scaled_passing_score: '0.7',
  };
  const stored2004 = {
    ...readOnly2004,
    session_time: 'PT3M10S',
    completion_status: 'incomplete',
    location: '7',
    suspend_data: 'x'.repeat(4000),
    interactions: { '0': { id: 'q1' } },
  };

  test('when the context of a stored CMI is taken, then it holds the read-only fields and the session time, not the learner data', () => {
    expect(commitContextOf(stored12)).toEqual({
      core: { ...readOnlyCore12, session_time: '00:03:10' },
      launch_data: 'side=3',
      student_data: studentData12,
    });
    expect(commitContextOf(stored2004)).toEqual({ ...readOnly2004, session_time: 'PT3M10S' });
  });

  test('when a commit is merged against the context instead of the whole stored CMI, then the result and the session time are the same', () => {
    const committed12 = {
      core: { student_id: 'X', credit: 'no-credit', lesson_status: 'passed', session_time: '00:05:00' },
      suspend_data: 'ny',
    };
    const committed2004 = {
      learner_id: 'X',
      mode: 'review',
      completion_status: 'completed',
      suspend_data: 'ny',
    };
    expect(mergeCommittedCmi(commitContextOf(stored12), committed12, '1.2')).toEqual(
      mergeCommittedCmi(stored12, committed12, '1.2'),
    );
    expect(mergeCommittedCmi(commitContextOf(stored2004), committed2004, '2004')).toEqual(
      mergeCommittedCmi(stored2004, committed2004, '2004'),
    );
    expect(sessionTimeOf(commitContextOf(stored12), '1.2')).toBe(190);
    expect(sessionTimeOf(commitContextOf(stored2004), '2004')).toBe(190);
  });

  test('when a stored CMI lacks read-only fields, then the context lacks them too and the merge drops what the client sent for them', () => {
    const stored = { suspend_data: 'abc', core: { lesson_status: 'incomplete' } };
    const committed = { core: { student_id: 'X', lesson_status: 'passed' } };
    expect(commitContextOf(stored)).toEqual({});
    const merged = mergeCommittedCmi(commitContextOf(stored), committed, '1.2');
    expect(merged).toEqual(mergeCommittedCmi(stored, committed, '1.2'));
    expect(merged.core).toEqual({ lesson_status: 'passed' });
  });
});
