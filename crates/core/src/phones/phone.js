// The phone page follows run mode: every few seconds it asks the laptop for the current
// prompt and shows it, keeping whatever is being typed. Without this script the page still
// works; it shows the prompt as it was when loaded.
'use strict';
(function () {
  var heading = document.getElementById('prompt');
  var item = document.getElementById('item');
  var status = document.getElementById('prompt-status');
  if (!heading || !item || !window.fetch) return;
  function follow() {
    fetch('/now', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (now) {
        if (!now || (now.item === item.value && now.prompt === heading.textContent)) return;
        heading.textContent = now.prompt;
        item.value = now.item;
        if (status) status.textContent = 'The question has changed.';
      })
      .catch(function () { /* The laptop is out of reach for a moment; try again next time. */ });
  }
  window.setInterval(follow, 3000);
})();
