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
  // A refresh is not the supervisor's activity: it says how long ago they last pressed a key,
  // clicked or scrolled, and an unattended queue is still signed out (accounts/sessions.py).
  var lastInput = Date.now();
  ["keydown", "mousedown", "scroll", "touchstart"].forEach(function (name) {
    window.addEventListener(name, function () { lastInput = Date.now(); }, { passive: true });
  });
  setInterval(function () {
    if (busy() || document.hidden) { return; }
    var headers = {
      "X-Peel-Background": "1",
      "X-Peel-Input-Age": String(Math.floor((Date.now() - lastInput) / 1000))
    };
    fetch(url, { headers: headers, credentials: "same-origin" })
      .then(function (response) {
        // Signed out (idle or too long): load the page, which shows the log-in page and why.
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html !== null && !busy()) { live.innerHTML = html; } })
      .catch(function () { /* offline for a moment: the next tick tries again */ });
  }, everyMs);
})();
