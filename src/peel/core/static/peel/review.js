// The review page, for the keyboard: single-key shortcuts, an offence finder, the live
// crime-recording clock, and only the follow-up fields that apply. Without it the form still
// works in full (every field shown, the offence chosen from the list). No library.
(function () {
  "use strict";
  var form = document.getElementById("decision-form");
  if (!form) { return; }

  // ---- The crime-recording clock ----
  var clock = document.getElementById("recording-clock");
  var started = Date.now();
  var secondsLeft = Number(clock.getAttribute("data-seconds-left"));
  function showClock() {
    var left = secondsLeft - Math.floor((Date.now() - started) / 1000);
    var minutes = Math.floor(Math.abs(left) / 60);
    var text = Math.floor(minutes / 60) + " h " + (minutes % 60) + " min " + (left >= 0 ? "left" : "over");
    clock.querySelector("strong").textContent = text;
    clock.classList.toggle("near", left >= 0 && left < 3600);
    clock.classList.toggle("over", left < 0);
  }
  setInterval(showClock, 30000);

  // ---- Fields that apply only to some choices ----
  function checked(name, value) {
    return !!form.querySelector("input[name='" + name + "'][value='" + value + "']:checked");
  }
  function group(name) {
    var input = form.querySelector("[name='" + name + "']");
    return input && input.closest(".field, fieldset");
  }
  var crimeFieldset = form.querySelector("fieldset.when-crime");
  function showWhatApplies() {
    crimeFieldset.hidden = !checked("outcome", "crime");
    var shown = {
      deploy_grade: checked("actions", "deploy"),
      referral_grade: checked("actions", "refer"),
      action_rationale: checked("actions", "nfa"),
      info_request: checked("actions", "request_info"),
    };
    Object.keys(shown).forEach(function (name) {
      var element = group(name);
      // A field with an error stays in view whatever is ticked.
      if (element && !element.querySelector(".error-message")) { element.hidden = !shown[name]; }
    });
  }
  form.addEventListener("change", showWhatApplies);
  showWhatApplies();

  // ---- The offence finder: every word must start a word of the offence ----
  var search = document.getElementById("offence-search");
  var select = document.getElementById("id_offence_code");
  var options = Array.prototype.slice.call(select.options).filter(function (o) { return o.value; });
  var words = options.map(function (o) {
    var group = o.parentNode.tagName === "OPTGROUP" ? o.parentNode.label : "";
    return (o.text + " " + group).toLowerCase().split(/[^a-z0-9.]+/);
  });
  function matches() {
    var terms = search.value.toLowerCase().split(/[^a-z0-9.]+/).filter(Boolean);
    return options.filter(function (o, n) {
      return terms.every(function (t) { return words[n].some(function (w) { return w.indexOf(t) === 0; }); });
    });
  }
  search.addEventListener("input", function () {
    var found = matches();
    options.forEach(function (o) { o.hidden = found.indexOf(o) < 0; });
    if (found.length) { select.value = found[0].value; }
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.ctrlKey) {
      event.preventDefault();  // Enter takes the match; Ctrl+Enter still records the decision
      var flags = form.querySelector("input[name='crime_flags']");
      if (flags) { flags.focus(); }
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      select.focus();
    }
  });

  // ---- Shortcuts: single keys when not typing; Ctrl+Enter anywhere ----
  function focusFirst(selector) {
    var element = form.querySelector(selector);
    if (element) { element.focus(); }
  }
  function choose(value) {
    var radio = form.querySelector("input[name='outcome'][value='" + value + "']");
    radio.checked = true;
    radio.focus();
    showWhatApplies();
  }
  var keys = {
    c: function () { choose("crime"); },
    n: function () { choose("not_a_crime"); },
    i: function () { choose("crime_related_incident"); },
    o: function () { crimeFieldset.hidden = false; search.focus(); },
    a: function () { focusFirst("input[name='actions']"); },
    m: function () { focusFirst("[name='victim_message']"); },
    r: function () { focusFirst("[name='rationale']"); },
    "?": function () { var help = document.getElementById("keys-help"); help.open = !help.open; },
  };
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    var target = event.target;
    var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) &&
      !/^(radio|checkbox|submit|button)$/.test(target.type || "");
    if (typing || event.ctrlKey || event.altKey || event.metaKey) { return; }
    var action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
})();
