/* Insatsguiden: repeat the build-time review check against the reader's date.
 * A static page ages; the texts written at build time stay as the fallback
 * without JavaScript. The rules are data from the build: each banner carries its
 * due date, warning period and phrases (data-ig-*), and the page's
 * #ig-granskning-regler holds the state names, sentence templates and duration
 * units of insatsguiden/domain/freshness.py (browser_rules). A pending decision's banner
 * (issue 13) is one more banner: it carries its own due date and phrases ("Beslutet …
 * fattats", or "Frågan … stämts av" when it has only a next check), so it is rechecked
 * the same way; it stays visible while in time. */
(function () {
  "use strict";
  var DAY = 86400000;
  var source = document.getElementById("ig-granskning-regler");
  if (!source) { return; }
  var rules = JSON.parse(source.textContent);

  function parseDate(text) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return parts ? Date.UTC(+parts[1], +parts[2] - 1, +parts[3]) : null;
  }

  // The largest whole unit; below the smallest unit, the smallest ("0 dagar").
  function duration(days) {
    var unit = rules.units[rules.units.length - 1];
    for (var i = 0; i < rules.units.length; i++) {
      if (days >= rules.units[i][0]) { unit = rules.units[i]; break; }
    }
    var count = Math.floor(days / unit[0]);
    return count + " " + (count === 1 ? unit[1] : unit[2]);
  }

  // str.format in one pass: "{subject} ska {to_do} …".
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return values[key]; });
  }

  var now = new Date();
  var today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());

  function offsetOf(element) {
    var due = parseDate(element.getAttribute("data-ig-due"));
    return due === null ? null : Math.round((today - due) / DAY);
  }

  function updateBanner(banner) {
    var offset = offsetOf(banner);
    var warn = parseInt(banner.getAttribute("data-ig-warn"), 10);
    if (offset === null || isNaN(warn)) { return; }
    var state;
    if (offset > 0) {
      state = rules.states.overdue;
    } else if (-offset <= warn) {
      state = rules.states.soon;
    } else {
      return; // still up to date: keep what the build says
    }
    banner.querySelector(".ig-granskning-text").textContent = fill(rules.sentences[state], {
      subject: banner.getAttribute("data-ig-subject"), done: banner.getAttribute("data-ig-done"),
      to_do: banner.getAttribute("data-ig-todo"), due: banner.getAttribute("data-ig-due"),
      duration: duration(Math.abs(offset))
    });
    banner.className = "ig-granskning ig-granskning-" + state;
    banner.hidden = false;
  }

  function updateIntake(intake) {
    var offset = offsetOf(intake);
    if (offset === null || offset <= 0) { return; }
    var badges = intake.querySelectorAll(".ig-badge");
    if (badges.length === 2) { badges[0].hidden = true; badges[1].hidden = false; }
  }

  // Rows a script adds later (the filtered list on "Alla insatser") are rechecked the same way.
  function recheck(root) {
    root.querySelectorAll(".ig-granskning[data-ig-due]").forEach(updateBanner);
    root.querySelectorAll(".ig-intag[data-ig-due]").forEach(updateIntake);
  }

  window.insatsguidenGranskning = Object.freeze({recheck: recheck});
  recheck(document);
}());
