/* Insatsguiden – instant filters on "Alla insatser". Without JavaScript the
 * grouped lists below are shown in full. Filters live in the URL; a value from
 * the URL counts only when its select offers it, and the chosen filters are kept
 * in an Object.create(null) map, so no name finds an inherited property. */
(function () {
  "use strict";

  /* Whether a select has an option with this value. */
  function offers(field, value) {
    return Array.prototype.some.call(field.options || [], function (option) { return option.value === value; });
  }

  var form = document.getElementById("ig-filter");
  var list = document.getElementById("ig-filterlista");
  if (!form || !list) { return; }
  var rows = Array.prototype.slice.call(list.children);
  var status = document.getElementById("ig-filter-status");
  var grouped = document.getElementById("ig-grupperat");

  function apply() {
    var wanted = Object.create(null);
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value) { wanted[field.name] = field.value; params.set(field.name, field.value); }
    });
    var active = Object.keys(wanted);
    var shown = 0;
    rows.forEach(function (row) {
      var keep = active.every(function (name) {
        var values = (row.getAttribute("data-" + name) || "").split(" ");
        // A measure without a kommun limit serves every kommun.
        if (name === "kommun" && values.length === 1 && values[0] === "") { return true; }
        return values.indexOf(wanted[name]) >= 0;
      });
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    list.hidden = !active.length;
    grouped.hidden = active.length > 0;
    status.textContent = active.length ? shown + " av " + rows.length + " insatser visas." : "Alla " + rows.length + " insatser visas, grupperade nedan.";
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
  }

  var initial = new URLSearchParams(location.search);
  Array.prototype.forEach.call(form.elements, function (field) {
    var value = field.name ? initial.get(field.name) : null;
    if (value && offers(field, value)) { field.value = value; }
  });
  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  apply();
}());
