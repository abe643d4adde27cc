/* Insatsguiden: repeat the build-time review check against the reader's date.
 * A static page ages; the texts written at build time stay as the fallback
 * without JavaScript. Same rules and wording as insatsguiden/freshness.py. */
(function () {
  "use strict";
  var DAY = 86400000;

  function parseDate(text) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return parts ? Date.UTC(+parts[1], +parts[2] - 1, +parts[3]) : null;
  }

  function duration(days) {
    if (days >= 365) { return Math.floor(days / 365) + " år"; }
    if (days >= 30) { var m = Math.floor(days / 30); return m === 1 ? "1 månad" : m + " månader"; }
    return days === 1 ? "1 dag" : days + " dagar";
  }

  var now = new Date();
  var today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());

  function offsetOf(element) {
    var due = parseDate(element.getAttribute("data-ig-due"));
    return due === null ? null : Math.round((today - due) / DAY);
  }

  function updateBanner(banner) {
    var offset = offsetOf(banner);
    if (offset === null) { return; }
    var warn = parseInt(banner.getAttribute("data-ig-warn") || "60", 10);
    var due = banner.getAttribute("data-ig-due");
    var subject = banner.getAttribute("data-ig-subject");
    var text = banner.querySelector(".ig-granskning-text");
    var state;
    if (offset > 0) {
      state = "forsenad";
      text.textContent = subject + " skulle ha " + banner.getAttribute("data-ig-done") + " senast " + due +
        " – försenad sedan " + duration(offset) + ".";
    } else if (-offset <= warn) {
      state = "snart";
      text.textContent = subject + " ska " + banner.getAttribute("data-ig-todo") + " senast " + due +
        " (om " + duration(-offset) + ").";
    } else {
      return; // still up to date: keep what the build says
    }
    banner.className = "ig-granskning ig-granskning-" + state;
    banner.hidden = false;
  }

  function updateIntake(intake) {
    var offset = offsetOf(intake);
    if (offset === null || offset <= 0) { return; }
    var badges = intake.querySelectorAll(".ig-badge");
    if (badges.length === 2) { badges[0].hidden = true; badges[1].hidden = false; }
  }

  document.querySelectorAll(".ig-granskning[data-ig-due]").forEach(updateBanner);
  document.querySelectorAll(".ig-intag[data-ig-due]").forEach(updateIntake);
}());
