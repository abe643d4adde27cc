/* Insatsguiden – filters on "Alla insatser". The page lists nothing by itself: when a
 * filter is chosen, the script fetches the API document it needs (the kommun's
 * api/v1/kommuner/<id>.json when a kommun is chosen, else api/v1/insatser.json) and
 * shows the matching summary lines. Labels come from the form's own options, rows
 * from the page's <template>; nothing from the data is parsed as HTML. Filters live
 * in the URL; a value from the URL counts only when its select offers it, and the
 * chosen filters are kept in an Object.create(null) map, so no name finds an
 * inherited property. Without JavaScript the page links to the full list in pages. */
(function () {
  "use strict";

  var form = document.getElementById("ig-filter");
  var list = document.getElementById("ig-filterlista");
  var template = document.getElementById("ig-filter-mall");
  if (!form || !list || !template) { return; }
  var status = document.getElementById("ig-filter-status");
  var grouped = document.getElementById("ig-grupperat");
  var api = new URL(form.getAttribute("data-api"), location.href);
  var root = new URL(form.getAttribute("data-root"), location.href);
  var total = form.getAttribute("data-total");
  var collator = new Intl.Collator("sv");
  var documents = Object.create(null);   // address -> promise of summary lines
  // The first rows at once, the rest when asked for: thousands of rows would make every change slow.
  var FIRST_ROWS = 100;
  var more = document.createElement("button");
  more.type = "button";
  more.className = "md-button ig-visa-alla";
  more.hidden = true;
  list.parentNode.insertBefore(more, list.nextSibling);
  var rest = [];
  more.addEventListener("click", function () {
    var fragment = document.createDocumentFragment();
    rest.forEach(function (line) { fragment.appendChild(row(line)); });
    var firstAdded = fragment.firstChild;
    list.appendChild(fragment);
    if (window.insatsguidenGranskning) { window.insatsguidenGranskning.recheck(list); }
    rest = [];
    more.hidden = true;
    if (firstAdded) { firstAdded.querySelector("a").focus(); }   // the button is gone: focus the first new row
  });
  var latest = 0;                         // the newest request; older answers are dropped

  /* Whether a select has an option with this value. */
  function offers(field, value) {
    return Array.prototype.some.call(field.options || [], function (option) { return option.value === value; });
  }

  /* value -> text of a select's options: the labels of the rows. */
  function texts(name) {
    var map = Object.create(null);
    Array.prototype.forEach.call(form.elements[name].options, function (option) {
      if (option.value) { map[option.value] = option.textContent; }
    });
    return map;
  }
  var labels = {kommun: texts("kommun"), typ: texts("typ"), intag: texts("intag")};

  /* Intake confirmation per insats as the build saw it: id -> [due date or null, unconfirmed]. */
  var intakeSource = document.getElementById("ig-filter-intag");
  var intake = null;
  function intakeOf(id) {
    if (intake === null) { intake = intakeSource ? JSON.parse(intakeSource.textContent) : {}; }
    return Object.prototype.hasOwnProperty.call(intake, id) ? intake[id] : null;
  }

  function has(values, value) { return Array.isArray(values) && values.indexOf(value) >= 0; }

  // Which summary-line key each filter reads, and how.
  var TESTS = {
    kommun: function (line, value) { return !Array.isArray(line.kommuner) || !line.kommuner.length || has(line.kommuner, value); },
    behov: function (line, value) { return has(line.behov, value); },
    typ: function (line, value) { return line.typ === value; },
    org: function (line, value) { return has(line.organisationer, value); },
    intag: function (line, value) { return line.intag === value; },
    remittent: function (line, value) { return has(line.remittenter, value); }
  };

  function load(kommun) {
    var address = kommun ? new URL("kommuner/" + encodeURIComponent(kommun) + ".json", api) : new URL("insatser.json", api);
    var key = address.href;
    if (!documents[key]) {
      documents[key] = fetch(key).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (data) {
        if (!data || !Array.isArray(data.insatser)) { throw new Error("okänt format"); }
        return data.insatser;
      });
      documents[key].catch(function () { delete documents[key]; });  // try again on the next change
    }
    return documents[key];
  }

  function row(line) {
    var item = template.content.firstElementChild.cloneNode(true);
    var link = item.querySelector("a");
    link.href = new URL(String(line.url), root).href;
    link.textContent = line.namn;
    var wrapper = item.querySelector(".ig-intag");
    var badges = wrapper.querySelectorAll(".ig-badge");
    var status = String(line.intag);
    badges[0].textContent = labels.intag[status] || status;
    if (/^[a-z_-]+$/.test(status)) { badges[0].classList.add("ig-intag-" + status); }
    var check = intakeOf(line.id);
    if (check) {
      if (check[0]) { wrapper.setAttribute("data-ig-due", check[0]); } else { wrapper.removeAttribute("data-ig-due"); }
      badges[0].hidden = !!check[1];
      badges[1].hidden = !check[1];
      item.querySelector(".ig-intag-senast").textContent = labels.intag[status] || status;
    } else {
      wrapper.removeAttribute("data-ig-due");
      wrapper.removeChild(badges[1]);
    }
    var places = (Array.isArray(line.kommuner) ? line.kommuner : []).map(function (id) { return labels.kommun[id] || id; });
    item.querySelector(".ig-meta").textContent = (labels.typ[line.typ] || line.typ) + " · " +
      (places.length ? places.join(", ") : "Alla kommuner");
    return item;
  }

  function show(lines, wanted, active) {
    var shown = lines.filter(function (line) {
      return active.every(function (name) { return TESTS[name](line, wanted[name]); });
    }).sort(function (a, b) { return collator.compare(a.namn, b.namn) || (a.id < b.id ? -1 : 1); });
    var fragment = document.createDocumentFragment();
    shown.slice(0, FIRST_ROWS).forEach(function (line) { fragment.appendChild(row(line)); });
    list.replaceChildren(fragment);
    if (window.insatsguidenGranskning) { window.insatsguidenGranskning.recheck(list); }
    rest = shown.slice(FIRST_ROWS);
    more.textContent = "Visa alla " + shown.length;
    more.hidden = !rest.length;
    list.hidden = false;
    list.setAttribute("aria-busy", "false");
    grouped.hidden = true;
    status.textContent = shown.length + " av " + total + " insatser visas" +
      (rest.length ? ", de första " + FIRST_ROWS + " nedan." : ".");
  }

  function apply() {
    var wanted = Object.create(null);
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value && TESTS[field.name]) { wanted[field.name] = field.value; params.set(field.name, field.value); }
    });
    var active = Object.keys(wanted);
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    var request = ++latest;
    rest = [];
    more.hidden = true;
    if (!active.length) {
      list.hidden = true;
      list.replaceChildren();
      list.setAttribute("aria-busy", "false");
      grouped.hidden = false;
      status.textContent = "Alla " + total + " insatser finns i listorna nedan. Välj en kommun eller ett filter för att visa insatser här.";
      return;
    }
    status.textContent = "Hämtar insatser …";
    list.setAttribute("aria-busy", "true");
    load(wanted.kommun).then(function (lines) {
      if (request === latest) { show(lines, wanted, active); }
    }, function () {
      if (request !== latest) { return; }
      list.hidden = true;
      list.setAttribute("aria-busy", "false");
      grouped.hidden = false;
      status.textContent = "Insatserna kunde inte hämtas. Använd listorna nedan, efter typ eller efter kommun.";
    });
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
