/* global window */
/**
 * The SCO side of SCORM for Kursvakt's built-in courses. It finds the LMS's API object
 * (SCORM 2004 `API_1484_11` or SCORM 1.2 `API`) in this window, its parents (up to 7 levels)
 * or the window that opened it, and maps the few things a course needs onto either data model.
 * Without an LMS it talks to an in-memory stand-in, so the course can be previewed on its own.
 */
(function () {
  'use strict';

  var MAX_PARENT_DEPTH = 7;

  var DIALECTS = {
    2004: {
      globalName: 'API_1484_11',
      call: {
        initialize: 'Initialize',
        terminate: 'Terminate',
        get: 'GetValue',
        set: 'SetValue',
        commit: 'Commit',
        lastError: 'GetLastError',
      },
      field: {
        entry: 'cmi.entry',
        location: 'cmi.location',
        suspendData: 'cmi.suspend_data',
        exit: 'cmi.exit',
        sessionTime: 'cmi.session_time',
        scoreRaw: 'cmi.score.raw',
        scoreMin: 'cmi.score.min',
        scoreMax: 'cmi.score.max',
      },
    },
    1.2: {
      globalName: 'API',
      call: {
        initialize: 'LMSInitialize',
        terminate: 'LMSFinish',
        get: 'LMSGetValue',
        set: 'LMSSetValue',
        commit: 'LMSCommit',
        lastError: 'LMSGetLastError',
      },
      field: {
        entry: 'cmi.core.entry',
        location: 'cmi.core.lesson_location',
        suspendData: 'cmi.suspend_data',
        exit: 'cmi.core.exit',
        sessionTime: 'cmi.core.session_time',
        scoreRaw: 'cmi.core.score.raw',
        scoreMin: 'cmi.core.score.min',
        scoreMax: 'cmi.core.score.max',
      },
    },
  };

  function property(win, name) {
    // A frame from another origin throws on access; that frame simply has no API for us.
    try {
      return win && win[name] ? win[name] : null;
    } catch {
      return null;
    }
  }

  function parentOf(win) {
    try {
      return win.parent && win.parent !== win ? win.parent : null;
    } catch {
      return null;
    }
  }

  function searchUpwards(start, name) {
    var win = start;
    for (var depth = 0; win && depth <= MAX_PARENT_DEPTH; depth += 1) {
      var api = property(win, name);
      if (api) return api;
      win = parentOf(win);
    }
    return null;
  }

  /** Finds an LMS API object by its global name, first above this window, then above its opener. */
  function findApi(name) {
    return searchUpwards(window, name) || searchUpwards(property(window, 'opener'), name);
  }

  /** An in-memory SCORM 2004 API, used when no LMS is found (preview, accessibility tests). */
  function createMemoryApi() {
    var values = {
      'cmi.entry': 'ab-initio',
      'cmi.completion_status': 'unknown',
      'cmi.success_status': 'unknown',
      'cmi.location': '',
      'cmi.suspend_data': '',
      'cmi.scaled_passing_score': '',
    };
    return {
      Initialize: function () {
        return 'true';
      },
      Terminate: function () {
        return 'true';
      },
      GetValue: function (key) {
        return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : '';
      },
      SetValue: function (key, value) {
        values[key] = String(value);
        return 'true';
      },
      Commit: function () {
        return 'true';
      },
      GetLastError: function () {
        return '0';
      },
      values: values,
    };
  }

  function pad(number) {
    return number < 10 ? '0' + number : String(number);
  }

  /** Formats a duration as SCORM 2004 (ISO 8601, e.g. PT1H5M3S) or SCORM 1.2 (HH:MM:SS) wants it. */
  function formatDuration(ms, version) {
    var total = Math.max(0, Math.round(ms / 1000));
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    if (version === '1.2') return pad(hours) + ':' + pad(minutes) + ':' + pad(seconds);
    return 'PT' + hours + 'H' + minutes + 'M' + seconds + 'S';
  }

  function decimal(value) {
    return String(Math.round(value * 10000) / 10000);
  }

  function createAdapter(version, api, connected) {
    var dialect = DIALECTS[version];
    var active = false;

    function invoke(method, args) {
      try {
        return String(api[dialect.call[method]].apply(api, args));
      } catch {
        return '';
      }
    }

    function get(key) {
      return active ? invoke('get', [key]) : '';
    }

    function set(key, value) {
      return active && invoke('set', [key, String(value)]) === 'true';
    }

    var adapter = {
      /** '2004', '1.2', or null when no LMS was found. */
      version: connected ? version : null,
      connected: connected,
      isActive: function () {
        return active;
      },
      initialize: function () {
        active = invoke('initialize', ['']) === 'true';
        return active;
      },
      terminate: function () {
        if (!active) return false;
        var done = invoke('terminate', ['']) === 'true';
        active = false;
        return done;
      },
      commit: function () {
        return active && invoke('commit', ['']) === 'true';
      },
      get: get,
      set: set,
      lastError: function () {
        return invoke('lastError', []);
      },

      /** What the LMS remembers from an earlier, suspended session. */
      readResumeState: function () {
        return {
          entry: get(dialect.field.entry),
          location: get(dialect.field.location),
          suspendData: get(dialect.field.suspendData),
        };
      },

      /** The LMS's pass mark as a share (0–1), or null to use the course's own. */
      passingScore: function () {
        var raw = version === '1.2' ? get('cmi.student_data.mastery_score') : get('cmi.scaled_passing_score');
        var value = parseFloat(raw);
        if (!isFinite(value)) return null;
        var share = version === '1.2' ? value / 100 : value;
        return share > 0 && share <= 1 ? share : null;
      },

      /** Marks a first launch as begun, so the LMS shows the course as started rather than new. */
      markStarted: function () {
        if (version === '1.2') {
          var status = get('cmi.core.lesson_status');
          if (status === '' || status === 'not attempted') set('cmi.core.lesson_status', 'incomplete');
        } else {
          var completion = get('cmi.completion_status');
          if (completion === '' || completion === 'unknown' || completion === 'not attempted') {
            set('cmi.completion_status', 'incomplete');
          }
        }
      },

      /** Saves where the learner is, what they have answered and (2004 only) how far they have come. */
      saveProgress: function (progress) {
        set(dialect.field.location, progress.location);
        set(dialect.field.suspendData, progress.suspendData);
        if (version === '2004') set('cmi.progress_measure', decimal(progress.measure));
      },

      /** Reports a quiz result; the course counts as completed only when it is passed. */
      saveResult: function (result) {
        var percent = decimal(result.score * 100);
        set(dialect.field.scoreMin, '0');
        set(dialect.field.scoreMax, '100');
        set(dialect.field.scoreRaw, percent);
        if (version === '1.2') {
          set('cmi.core.lesson_status', result.passed ? 'passed' : 'failed');
        } else {
          set('cmi.score.scaled', decimal(result.score));
          set('cmi.success_status', result.passed ? 'passed' : 'failed');
          set('cmi.completion_status', result.passed ? 'completed' : 'incomplete');
        }
      },

      /** "suspend" keeps the attempt open for resuming; a finished course exits normally. */
      setExit: function (finished) {
        var normal = version === '1.2' ? '' : 'normal';
        set(dialect.field.exit, finished ? normal : 'suspend');
      },

      setSessionTime: function (ms) {
        set(dialect.field.sessionTime, formatDuration(ms, version));
      },
    };
    return adapter;
  }

  /**
   * Connects to the LMS, trying the preferred SCORM version first: a package says which one its
   * manifest declares, but an LMS that offers only the other still gets the learner's data.
   */
  function connect(preferred) {
    var order = preferred === '1.2' ? ['1.2', '2004'] : ['2004', '1.2'];
    for (var i = 0; i < order.length; i += 1) {
      var api = findApi(DIALECTS[order[i]].globalName);
      if (api) return createAdapter(order[i], api, true);
    }
    return createAdapter('2004', createMemoryApi(), false);
  }

  window.KursvaktScorm = { connect: connect, findApi: findApi, formatDuration: formatDuration };
})();
