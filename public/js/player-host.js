// The player host page (content origin): offers scorm-again as window.API (SCORM 1.2) or
// window.API_1484_11 (SCORM 2004) with the saved CMI loaded before the SCO starts, numbers every
// commit, and tells the launch page when the SCO has finished.
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('kv-player-config').textContent);
  var review = config.mode === 'review';
  var lastSequence = config.sequenceBase;
  var localSequence = 0;

  var settings = {
    // Review mode saves nothing: the completed attempt stays as it was.
    lmsCommitUrl: review ? false : config.commitUrl,
    autocommit: !review,
    autocommitSeconds: 30,
    sendFullCommit: true,
    dataCommitFormat: 'json',
    selfReportSessionTime: false,
    mastery_override: config.masteryOverride,
    logLevel: 4,
    requestHandler: function (commitObject, metadata) {
      // scorm-again counts commits per page load; the launch's base makes them unique per attempt.
      localSequence = metadata && metadata.sequence ? metadata.sequence : localSequence + 1;
      lastSequence = config.sequenceBase + localSequence;
      return {
        sequence: lastSequence,
        final: !!(metadata && metadata.isTerminateCommit),
        cmi: commitObject.cmi,
      };
    },
  };

  var api =
    config.scormVersion === '2004' ? new window.Scorm2004API(settings) : new window.Scorm12API(settings);
  api.loadFromJSON(config.cmi);

  var finished = false;
  function notifyFinished() {
    if (finished) return;
    finished = true;
    var tell = function () {
      window.parent.postMessage({ type: 'kursvakt:scorm-finished' }, config.appOrigin);
    };
    if (review || lastSequence === config.sequenceBase || !window.fetch) return tell();
    // The final commit went as a beacon; wait until the server has it, so "Mine kurs" is current.
    window
      .fetch(config.waitUrl + '?sekvens=' + lastSequence, { mode: 'cors', credentials: 'omit' })
      .then(tell, tell);
  }

  if (config.scormVersion === '2004') {
    window.API_1484_11 = api;
    api.on('Terminate', function () {
      setTimeout(notifyFinished, 0);
    });
  } else {
    window.API = api;
    api.on('LMSFinish', function () {
      setTimeout(notifyFinished, 0);
    });
  }

  document.getElementById('kv-sco').src = config.launchUrl;
})();
