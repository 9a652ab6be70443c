// The launch page (app origin): sizes the player frame and leaves for "Mine kurs" (or the list of
// course parts) when the player on the content origin says that the SCO has finished.
(function () {
  'use strict';
  var frame = document.getElementById('kv-player');
  if (!frame) return;
  var contentOrigin = frame.getAttribute('data-content-origin');
  var returnUrl = frame.getAttribute('data-return-url') || '/mine-kurs';
  frame.style.display = 'block';
  frame.style.width = '100%';
  frame.style.minHeight = '32rem';
  frame.style.height = 'calc(100vh - 14rem)';
  frame.style.border = '1px solid currentColor';
  window.addEventListener('message', function (event) {
    if (event.origin !== contentOrigin || event.source !== frame.contentWindow) return;
    if (event.data && event.data.type === 'kursvakt:scorm-finished') window.location.assign(returnUrl);
  });
})();
