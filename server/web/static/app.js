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

// The forms of plans and records: the fields the chosen customer's type
// requires are marked, and the decision chain takes another row. The
// server marks them as well, and checks everything again.
document.addEventListener("DOMContentLoaded", function () {
  var list = document.getElementById("customer-list");
  document.querySelectorAll("input[data-customer]").forEach(function (input) {
    var form = input.form, hint = document.getElementById(input.id + "-hint");
    var forms = {};
    try { forms = JSON.parse(form.dataset.forms || "{}"); } catch (e) { forms = {}; }
    var update = function () {
      var chosen = null;
      if (list) {
        list.querySelectorAll("option").forEach(function (o) { if (o.value === input.value) { chosen = o; } });
      }
      if (hint && chosen) { hint.textContent = chosen.textContent; }
      if (!form.dataset.forms) { return; }
      var need = forms[chosen ? chosen.dataset.type : ""] || forms[""] || [];
      form.querySelectorAll("[data-req-for]").forEach(function (mark) {
        mark.hidden = need.indexOf(mark.dataset.reqFor) < 0;
      });
    };
    input.addEventListener("change", update);
    input.addEventListener("input", update);
  });
  document.querySelectorAll("button[data-add-row]").forEach(function (button) {
    var body = button.closest("fieldset").querySelector("tbody");
    if (!body) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = body.querySelectorAll("tr[data-chain-row]");
      var last = rows[rows.length - 1], n = rows.length;
      var row = last.cloneNode(true);
      row.querySelectorAll(".field-error").forEach(function (p) { p.remove(); });
      row.querySelector("th").id = "chain-r" + n;
      row.querySelector("th").textContent = String(n + 1);
      row.querySelectorAll("input, select").forEach(function (el) {
        el.id = el.id.replace(/^chain-\d+-/, "chain-" + n + "-");
        el.setAttribute("aria-labelledby", el.getAttribute("aria-labelledby").replace(/chain-r\d+$/, "chain-r" + n));
        el.removeAttribute("aria-invalid");
        el.removeAttribute("aria-describedby");
        el.value = "";
      });
      body.appendChild(row);
      row.querySelector("input").focus();
    });
  });
});

// A form marked data-keep (a plan, a record, a review) is kept in the
// tab's sessionStorage while it is sent. If the answer is the sign-in
// page (the session ended while the user was typing), the form is filled
// in again when the sign-in brings them back to it, and says so. Any
// other page drops it: the server's answer holds what was typed.
document.addEventListener("DOMContentLoaded", function () {
  var KEY = "va-kept-form";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) { return; }
  var kept = null;
  try { kept = JSON.parse(store.getItem(KEY) || "null"); } catch (e) { kept = null; }
  if (document.querySelector('form[action="/signin"]')) {
    if (kept) { kept.viaSignin = true; store.setItem(KEY, JSON.stringify(kept)); }
    return;
  }
  store.removeItem(KEY);
  document.querySelectorAll("form[data-keep]").forEach(function (form) {
    var action = form.getAttribute("action");
    form.addEventListener("submit", function () {
      var fields = [];
      new FormData(form).forEach(function (value, name) {
        if (name !== "_csrf" && typeof value === "string") { fields.push([name, value]); }
      });
      try { store.setItem(KEY, JSON.stringify({action: action, fields: fields})); } catch (e) { /* full: nothing kept */ }
    });
    if (!kept || !kept.viaSignin || kept.action !== action) { return; }
    var byName = {};
    kept.fields.forEach(function (f) { (byName[f[0]] = byName[f[0]] || []).push(f[1]); });
    var add = form.querySelector("button[data-add-row]");
    Object.keys(byName).forEach(function (name) {
      var values = byName[name];
      var inputs = function () { return form.querySelectorAll('[name="' + name.replace(/"/g, "") + '"]'); };
      while (add && name.indexOf("chain_") === 0 && inputs().length < values.length) { add.click(); }
      inputs().forEach(function (el, i) {
        if (el.type === "checkbox") { el.checked = values.indexOf(el.value) >= 0; return; }
        if (i < values.length) { el.value = values[i]; }
      });
    });
    form.querySelectorAll('input[type="checkbox"][name]').forEach(function (el) {
      if (!byName[el.name]) { el.checked = false; }
    });
    form.querySelectorAll("input[data-customer]").forEach(function (el) { el.dispatchEvent(new Event("input")); });
    var notice = document.querySelector("[data-restored]");
    if (notice) { notice.hidden = false; notice.tabIndex = -1; notice.focus(); }
  });
});

// An upload form checks the sizes of the chosen files before it sends
// them: a file over the limit is said at once, beside the input, and the
// choice stays. The server checks everything again, and the type of each
// file by what it holds.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var input = form.querySelector('input[type="file"]');
    var out = input && document.getElementById(input.id + "-error");
    if (!out) { return; }
    form.addEventListener("submit", function (e) {
      var maxFile = Number(form.dataset.maxFile), maxRequest = Number(form.dataset.maxRequest);
      var total = 0, problem = "";
      Array.prototype.forEach.call(input.files, function (f) {
        total += f.size;
        if (problem) { return; }
        if (f.size === 0) { problem = form.dataset.empty + " " + f.name; }
        if (maxFile && f.size > maxFile) { problem = form.dataset.tooLarge + " " + f.name; }
      });
      if (!problem && maxRequest && total > maxRequest) { problem = form.dataset.requestTooLarge; }
      if (!problem) { return; }
      e.preventDefault();
      out.textContent = "";
      var p = document.createElement("p");
      p.className = "field-error";
      p.setAttribute("role", "alert");
      p.textContent = problem;
      out.appendChild(p);
      input.setAttribute("aria-invalid", "true");
      input.focus();
    });
  });
});
