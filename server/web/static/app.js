// visitarchive pages: small progressive enhancement. Every page works
// without it; it only saves a click or asks before something that cannot
// be undone.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // A select that orders a list submits its form when changed.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.requestSubmit(); });
  });
  // A form that cannot be undone asks first.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); }
    });
  });
  // A token shown once: one click selects it; the copy button copies it.
  document.querySelectorAll("[data-select-all]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.dataset.copy);
    if (!input || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { navigator.clipboard.writeText(input.value); });
  });
  // A page of work that runs on the server reloads itself until it ends;
  // without the script, its reload link does.
  var refresh = document.querySelector("[data-refresh]");
  if (refresh) {
    window.setTimeout(function () { window.location.reload(); }, 1000 * Number(refresh.dataset.refresh));
  }
});
