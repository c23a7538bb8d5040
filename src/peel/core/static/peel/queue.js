// Keeps the supervisor's queue live: refetches the counts and rows every few seconds, unless
// the supervisor has ticked an item or is typing (so a refresh never loses their selection).
(function () {
  "use strict";
  var live = document.getElementById("queue-live");
  if (!live) { return; }
  var url = live.getAttribute("data-refresh-url");
  var everyMs = 1000 * Number(live.getAttribute("data-refresh-seconds") || 10);
  function busy() {
    var form = document.getElementById("bulk");
    var ticked = form && form.querySelector("input[name=items]:checked");
    var active = document.activeElement;
    var typing = active && (active.tagName === "INPUT" || active.tagName === "SELECT" || active.tagName === "TEXTAREA");
    return Boolean(ticked || typing);
  }
  setInterval(function () {
    if (busy() || document.hidden) { return; }
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null && !busy()) { live.innerHTML = html; } })
      .catch(function () { /* offline for a moment: the next tick tries again */ });
  }, everyMs);
})();
