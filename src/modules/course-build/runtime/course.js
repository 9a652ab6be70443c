/* global window, document, history, location */
/**
 * The course player inside the SCO: one page at a time, the quiz, progress and resume.
 * Everything the LMS sees goes through window.KursvaktScorm (scorm-api.js).
 */
(function () {
  'use strict';

  var SUSPEND_FORMAT = 1;
  var data = JSON.parse(document.getElementById('kursdata').textContent);
  var pageCount = data.pageCount;
  var quizPage = pageCount;
  var scorm = window.KursvaktScorm.connect(document.documentElement.getAttribute('data-scorm'));
  var startedAt = Date.now();

  var state = {
    page: 1,
    visited: {},
    answers: {},
    result: null,
    ended: false,
  };
  var passMark = data.passMark;

  var elements = {
    previous: document.getElementById('forrige'),
    next: document.getElementById('neste'),
    finish: document.getElementById('avslutt'),
    progress: document.getElementById('fremdrift'),
    progressText: document.getElementById('fremdrift-tekst'),
    result: document.getElementById('resultat'),
    ended: document.getElementById('avsluttet'),
    endedText: document.getElementById('avsluttet-tekst'),
  };

  function section(number) {
    return document.getElementById('side-' + number);
  }

  function questionById(id) {
    for (var i = 0; i < data.questions.length; i += 1) {
      if (data.questions[i].id === id) return data.questions[i];
    }
    return null;
  }

  function percent(share) {
    return String(Math.round(share * 1000) / 10).replace('.', ',') + '\u00a0%';
  }

  function allAnswered() {
    return data.questions.every(function (q) {
      return typeof state.answers[q.id] === 'number';
    });
  }

  function passed() {
    return Boolean(state.result && state.result.passed);
  }

  // ---- Saving ------------------------------------------------------------------------------

  function progressMeasure() {
    var contentPages = pageCount - 1;
    var seen = 0;
    for (var page = 1; page <= contentPages; page += 1) if (state.visited[page]) seen += 1;
    return (seen + (passed() ? 1 : 0)) / pageCount;
  }

  function suspendData() {
    var visited = Object.keys(state.visited)
      .map(Number)
      .sort(function (a, b) {
        return a - b;
      });
    return JSON.stringify({
      f: SUSPEND_FORMAT,
      k: data.version,
      v: visited,
      a: state.answers,
      r: state.result ? { s: state.result.score, p: state.result.passed } : null,
    });
  }

  function save() {
    if (state.ended) return;
    scorm.saveProgress({
      location: String(state.page),
      suspendData: suspendData(),
      measure: progressMeasure(),
    });
    scorm.commit();
  }

  function restore(saved) {
    var parsed;
    try {
      parsed = JSON.parse(saved.suspendData || 'null');
    } catch {
      parsed = null;
    }
    // Answers from another version of the course may point at questions that have changed.
    if (parsed && parsed.f === SUSPEND_FORMAT && parsed.k === data.version) {
      (parsed.v || []).forEach(function (page) {
        if (page >= 1 && page <= pageCount) state.visited[page] = true;
      });
      Object.keys(parsed.a || {}).forEach(function (id) {
        var question = questionById(id);
        var answer = parsed.a[id];
        if (question && typeof answer === 'number' && answer >= 0 && answer < question.options.length) {
          state.answers[id] = answer;
        }
      });
      if (parsed.r && typeof parsed.r.s === 'number')
        state.result = { score: parsed.r.s, passed: !!parsed.r.p };
    }
    var savedPage = parseInt(saved.location, 10);
    return savedPage >= 1 && savedPage <= pageCount ? savedPage : null;
  }

  // ---- Pages -------------------------------------------------------------------------------

  function pageFromHash() {
    var match = /^#side-(\d+)$/.exec(location.hash);
    var page = match ? parseInt(match[1], 10) : NaN;
    return page >= 1 && page <= pageCount ? page : null;
  }

  function showPage(number, options) {
    var moveFocus = !options || options.focus !== false;
    state.page = number;
    state.visited[number] = true;
    for (var page = 1; page <= pageCount; page += 1) section(page).hidden = page !== number;
    elements.ended.hidden = true;

    elements.previous.disabled = number === 1;
    elements.next.disabled = number === pageCount;
    elements.progress.value = number;
    elements.progressText.textContent = 'Side ' + number + ' av ' + pageCount;

    var heading = document.getElementById('side-' + number + '-tittel');
    document.title = heading.textContent + ' – ' + data.title;
    if (location.hash !== '#side-' + number) {
      try {
        // Replacing (not pushing) keeps the browser's back button out of the course's own navigation.
        history.replaceState(null, '', '#side-' + number);
      } catch {
        // Some LMS frames forbid changing the address; the page still works without it.
      }
    }
    if (moveFocus) heading.focus();
    else window.scrollTo(0, 0);
    save();
  }

  // ---- Quiz --------------------------------------------------------------------------------

  function radios(id) {
    return document.querySelectorAll('input[name="svar-' + id + '"]');
  }

  function checkButton(id) {
    return document.querySelector('button[data-sjekk="' + id + '"]');
  }

  function feedbackBox(id) {
    return document.getElementById('tilbakemelding-' + id);
  }

  function nextUnanswered(afterId) {
    var start = 0;
    data.questions.forEach(function (q, i) {
      if (q.id === afterId) start = i + 1;
    });
    for (var i = 0; i < data.questions.length; i += 1) {
      var q = data.questions[(start + i) % data.questions.length];
      if (typeof state.answers[q.id] !== 'number') return q;
    }
    return null;
  }

  function showFeedback(question) {
    var chosen = state.answers[question.id];
    var correct = chosen === question.correct;
    var html =
      '<p class="vurdering ' +
      (correct ? 'riktig' : 'feil') +
      '"><strong>' +
      (correct ? 'Riktig.' : 'Ikke riktig.') +
      '</strong> ' +
      (question.feedback[chosen] || '') +
      '</p>';
    if (!correct) html += '<p>Riktig svar er: ' + question.options[question.correct] + '</p>';
    if (question.explanation) {
      html +=
        '<div class="forklaring"><p class="forklaring-tittel">Forklaring</p>' +
        question.explanation +
        '</div>';
    }
    feedbackBox(question.id).innerHTML = html;
  }

  /** Locks an answered question and turns its button into "go on" (next question or result). */
  function renderAnswered(question) {
    var chosen = state.answers[question.id];
    radios(question.id).forEach(function (input) {
      input.checked = Number(input.value) === chosen;
      input.disabled = true;
    });
    showFeedback(question);
    var button = checkButton(question.id);
    var next = nextUnanswered(question.id);
    button.textContent = next ? 'Neste spørsmål' : 'Se resultatet';
    button.setAttribute('data-fortsett', next ? next.id : 'resultat');
  }

  function renderUnanswered(question) {
    radios(question.id).forEach(function (input) {
      input.checked = false;
      input.disabled = false;
    });
    feedbackBox(question.id).innerHTML = '';
    var button = checkButton(question.id);
    button.textContent = 'Sjekk svaret';
    button.removeAttribute('data-fortsett');
  }

  function renderResult() {
    var box = elements.result;
    if (!state.result) {
      box.hidden = true;
      box.innerHTML = '';
      return;
    }
    var correct = Math.round(state.result.score * data.questions.length);
    var summary =
      'Du svarte riktig på ' +
      correct +
      ' av ' +
      data.questions.length +
      ' spørsmål (' +
      percent(state.result.score) +
      ').';
    var html;
    if (state.result.passed) {
      html =
        '<h2>Du har bestått</h2><p>' +
        summary +
        ' Kurset er fullført.</p><p>Trykk «Avslutt» for å lukke kurset.</p>';
    } else {
      html =
        '<h2>Du har ikke bestått ennå</h2><p>' +
        summary +
        ' Du må ha minst ' +
        percent(passMark) +
        ' riktige for å bestå.</p><p>Les gjerne sidene en gang til, og ta testen på nytt.</p>' +
        '<p><button type="button" class="knapp" id="ta-pa-nytt">Ta testen på nytt</button></p>';
    }
    box.innerHTML = html;
    box.className = 'resultat ' + (state.result.passed ? 'bestatt' : 'ikke-bestatt');
    box.hidden = false;
  }

  function evaluateQuiz() {
    var correct = data.questions.filter(function (q) {
      return state.answers[q.id] === q.correct;
    }).length;
    var score = correct / data.questions.length;
    // A tiny tolerance, so that e.g. 4 of 5 meets a pass mark of 0.8 despite floating point.
    state.result = { score: score, passed: score + 1e-9 >= passMark };
    scorm.saveResult(state.result);
    scorm.setExit(state.result.passed);
    renderResult();
  }

  function checkAnswer(id) {
    var question = questionById(id);
    var chosen = null;
    radios(id).forEach(function (input) {
      if (input.checked) chosen = Number(input.value);
    });
    if (chosen === null) {
      feedbackBox(id).innerHTML = '<p class="vurdering mangler">Velg et svar før du sjekker.</p>';
      var first = radios(id)[0];
      if (first) first.focus();
      return;
    }
    state.answers[id] = chosen;
    renderAnswered(question);
    if (allAnswered()) {
      evaluateQuiz();
      // The buttons of earlier questions may still say "Neste spørsmål"; now they all lead to the result.
      data.questions.forEach(function (q) {
        checkButton(q.id).textContent = 'Se resultatet';
        checkButton(q.id).setAttribute('data-fortsett', 'resultat');
      });
    }
    save();
  }

  function goOn(target) {
    if (target === 'resultat') {
      var heading = elements.result.querySelector('h2');
      elements.result.focus();
      if (heading) heading.scrollIntoView({ block: 'start' });
      return;
    }
    document.getElementById('sporsmal-' + target + '-tittel').focus();
  }

  function retakeQuiz() {
    state.answers = {};
    state.result = null;
    data.questions.forEach(renderUnanswered);
    renderResult();
    save();
    var first = data.questions[0];
    if (first) document.getElementById('sporsmal-' + first.id + '-tittel').focus();
  }

  // ---- Ending ------------------------------------------------------------------------------

  function endSession() {
    if (state.ended) return;
    save();
    scorm.setExit(passed());
    scorm.setSessionTime(Date.now() - startedAt);
    scorm.commit();
    scorm.terminate();
    state.ended = true;
  }

  function finish() {
    endSession();
    for (var page = 1; page <= pageCount; page += 1) section(page).hidden = true;
    elements.endedText.textContent = passed()
      ? 'Du har fullført kurset. Du kan nå lukke dette vinduet.'
      : 'Fremdriften din er lagret. Neste gang du åpner kurset, fortsetter du der du slapp.';
    elements.ended.hidden = false;
    elements.previous.hidden = true;
    elements.next.hidden = true;
    elements.finish.hidden = true;
    document.title = 'Kurset er avsluttet – ' + data.title;
    document.getElementById('avsluttet-tittel').focus();
  }

  // ---- Start -------------------------------------------------------------------------------

  function start() {
    scorm.initialize();
    // Opened outside an LMS (a preview, or a frame the LMS API cannot be reached from): say that nothing is saved.
    document.getElementById('uten-lms').hidden = scorm.connected;
    var lmsPassMark = scorm.passingScore();
    if (lmsPassMark !== null && lmsPassMark !== passMark) {
      // The LMS administrator may have changed the pass mark; the learner must see the one that applies.
      passMark = lmsPassMark;
      document.getElementById('krav').textContent =
        'Testen har ' +
        data.questions.length +
        ' spørsmål. Du består med minst ' +
        percent(passMark) +
        ' riktige svar.';
    }
    scorm.markStarted();
    var saved = scorm.readResumeState();
    // An LMS that starts a fresh attempt sends entry "ab-initio" and empty data; anything saved is a resume.
    var resumeAt = saved.entry === 'ab-initio' ? null : restore(saved);
    // A result only stands together with the answers it was computed from.
    if (!allAnswered()) state.result = null;
    // Until the course is passed, leaving in any way keeps the attempt open for resuming.
    scorm.setExit(passed());
    data.questions.forEach(function (q) {
      if (typeof state.answers[q.id] === 'number') renderAnswered(q);
    });
    renderResult();

    elements.previous.addEventListener('click', function () {
      if (state.page > 1) showPage(state.page - 1);
    });
    elements.next.addEventListener('click', function () {
      if (state.page < pageCount) showPage(state.page + 1);
    });
    elements.finish.addEventListener('click', finish);
    document.getElementById('side-' + quizPage).addEventListener('click', function (event) {
      var target = event.target;
      if (!(target instanceof window.HTMLButtonElement)) return;
      if (target.id === 'ta-pa-nytt') retakeQuiz();
      else if (target.hasAttribute('data-fortsett')) goOn(target.getAttribute('data-fortsett'));
      else if (target.hasAttribute('data-sjekk')) checkAnswer(target.getAttribute('data-sjekk'));
    });
    window.addEventListener('hashchange', function () {
      var page = pageFromHash();
      if (page && page !== state.page && !state.ended) showPage(page);
    });
    window.addEventListener('pagehide', endSession);

    // A direct link (index.html#side-3) wins over the saved place, but the saved answers are kept.
    showPage(pageFromHash() || resumeAt || 1, { focus: false });
  }

  start();
})();
