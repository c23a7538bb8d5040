// Keeps an operator's work item while its page is open and in use. Without this the lease
// runs out (PEEL_WORK_LEASE_MINUTES) and the item goes back to the queue for someone else:
// what happens when the operator goes idle or closes the browser. No library, no inline script.
(function () {
  "use strict";
  var marker = document.querySelector("[data-heartbeat-url]");
  if (!marker) { return; }
  var url = marker.getAttribute("data-heartbeat-url");
  var token = marker.getAttribute("data-csrf-token");
  var everyMs = 1000 * Number(marker.getAttribute("data-heartbeat-seconds") || 60);
  var idleAfterMs = 5 * 60 * 1000;  // no key, click or scroll for this long: the operator is away
  var lastActivity = Date.now();
  ["keydown", "mousedown", "scroll", "touchstart"].forEach(function (name) {
    window.addEventListener(name, function () { lastActivity = Date.now(); }, { passive: true });
  });
  setInterval(function () {
    if (Date.now() - lastActivity > idleAfterMs) { return; }
    // A timed request, not the operator's: the session counts their last key, click or scroll
    // (X-Peel-Input-Age), so a screen left alone is still signed out (accounts/sessions.py).
    var headers = {
      "X-CSRFToken": token,
      "X-Peel-Background": "1",
      "X-Peel-Input-Age": String(Math.floor((Date.now() - lastActivity) / 1000))
    };
    fetch(url, { method: "POST", headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) {
          marker.textContent = "You were signed out. Copy anything you have typed, then sign in again.";
          marker.hidden = false;
        } else if (response.status === 409) {
          marker.textContent = "This item is no longer yours: it went back to the queue. Press Get Work.";
          marker.hidden = false;
        }
      })
      .catch(function () { /* offline for a moment: the next beat tries again */ });
  }, everyMs);
})();
