// Every page: the quick exit (domestic-abuse services' pattern) and the error summary.
// Without JavaScript both still work: the exit is a plain link, the summary is at the top.
(function () {
  "use strict";

  // ---- Quick exit: leave for a neutral site, replacing this page in the history ----
  var exit = document.querySelector("[data-quick-exit]");
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.hidden = true;  // nothing of the page stays on screen while leaving
    // Tell Peel to forget the report in progress, and go at once without waiting for it.
    // replace(): this page leaves the history, so Back does not return to it.
    if (window.fetch) {
      window.fetch(exit.getAttribute("href"), { keepalive: true, credentials: "same-origin" })
        .catch(function () { return null; });
    }
    window.location.replace(exit.getAttribute("data-quick-exit"));
  }
  if (exit) {
    exit.addEventListener("click", leave);
    var presses = [];
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var now = Date.now();
      presses = presses.filter(function (t) { return now - t < 2000; });
      presses.push(now);
      if (presses.length >= 3) { leave(null); }
    });
  }

  // ---- After a failed submit: the summary of problems takes focus (so it is read and seen) ----
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }
})();
