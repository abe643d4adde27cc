/* Insatsguiden – vägvisaren in the browser.
 *
 * matchEntries() mirrors insatsguiden/guide.py:match_entries() step by step;
 * tests/test_guide.py feeds the same profiles through both and
 * compares the results. The page works without this file: the form then
 * leads to the static pages per kommun and need.
 *
 * Answers, ids and labels are looked up as own properties only (own(),
 * Object.create(null) maps): an answer such as "constructor" or "__proto__"
 * must find nothing, as it does in Python, not a property every object inherits.
 */
(function () {
  "use strict";

  var ANSWER_KEYS = ["kommun", "alder", "forsorjning", "behov", "aktivitet", "kontakter", "remittent"];
  var MANY_ANSWERS = ["behov", "kontakter"];

  function own(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  /* A label for a value, or the value itself (Python: labels.get(value, value)). */
  function labelOf(labels, value) { return own(labels, value) ? labels[value] : value; }

  function matchEntries(data, answers) {
    var label = data.etiketter;
    var results = [];
    data.insatser.forEach(function (item) {
      var coordinated = item.typ !== "ordinarie";
      var reasons = [];
      var matched = answers.behov.filter(function (need) { return item.behov.indexOf(need) >= 0; });
      if (answers.behov.length && !matched.length) { return; }
      matched.forEach(function (need) { reasons.push(labelOf(label.behov, need).toLowerCase()); });
      if (item.kommuner.length) {
        if (answers.kommun === null) {
          if (coordinated) { return; }
        } else if (item.kommuner.indexOf(answers.kommun) < 0) {
          return;
        } else {
          reasons.push(labelOf(label.kommun, answers.kommun));
        }
      }
      if (item.alder_min !== null || item.alder_max !== null) {
        var low = item.alder_min !== null ? item.alder_min : 0;
        var high = item.alder_max !== null ? item.alder_max : 120;
        if (answers.alder === null) {
          if (coordinated) { return; }
        } else if (!(low <= answers.alder && answers.alder <= high)) {
          return;
        } else {
          reasons.push(low + "–" + high + " år");
        }
      }
      if (item.forsorjning.length) {
        if (answers.forsorjning === null) {
          if (coordinated) { return; }
        } else if (item.forsorjning.indexOf(answers.forsorjning) < 0) {
          return;
        } else {
          reasons.push(labelOf(label.forsorjning, answers.forsorjning).toLowerCase());
        }
      }
      if (item.kraver_aktivitet) {
        if (answers.aktivitet === "nej" || (coordinated && answers.aktivitet !== "ja")) { return; }
        if (answers.aktivitet === "ja") { reasons.push("klarar aktivitet några timmar i veckan"); }
      }
      answers.kontakter.forEach(function (contact) {
        if (item.remittenter.indexOf(contact) >= 0) {
          reasons.push("kan remitteras av " + labelOf(label.remittent, contact));
        }
      });
      var warnings = [];
      if (item.intag_obekraftat) {
        warnings.push("Intaget är inte bekräftat: kontakta verksamheten.");
      } else if (data.oppet_intag.indexOf(item.intag) < 0) {
        warnings.push("Intag: " + labelOf(label.intag, item.intag) + ".");
      }
      item.avtal_forsenade.forEach(function (title) {
        warnings.push("Överenskommelsen " + title + " är inte reviderad i tid.");
      });
      if (answers.remittent && item.remittenter.length && item.remittenter.indexOf(answers.remittent) < 0) {
        var who = labelOf(label.remittent, answers.remittent);
        warnings.push(who + " står inte bland dem som kan remittera" +
          (item.egen_ansokan ? "; personen kan ansöka själv." : "."));
      }
      var group = coordinated ? "samordnad" : "ordinarie";
      if (item.ej_tillganglig) { group = "inte-tillganglig"; warnings = [item.ej_tillganglig]; }
      results.push({id: item.id, grupp: group, behov: matched.length,
                    skal: reasons, varningar: warnings, _item: item});
    });
    function key(match) {
      var item = match._item;
      var openNow = data.oppet_intag.indexOf(item.intag) >= 0 && !item.intag_obekraftat;
      var rank = match.grupp === "inte-tillganglig" ? 2 : match.grupp !== "ordinarie" ? 1 : 0;
      return [rank, -match.behov, openNow ? 0 : 1, item.namn.toLowerCase()];
    }
    results.sort(function (a, b) {
      var ka = key(a), kb = key(b);
      for (var i = 0; i < ka.length; i++) {
        if (ka[i] < kb[i]) { return -1; }
        if (ka[i] > kb[i]) { return 1; }
      }
      return 0;
    });
    results.forEach(function (match) { delete match._item; });
    return results;
  }

  function sortedUnique(values) {
    var seen = Object.create(null);
    return values.filter(function (v) { if (!v || own(seen, v)) { return false; } seen[v] = true; return true; }).sort();
  }

  /* Answers from a query string, with the same tolerance as Answers.from_query(). */
  function answersFromQuery(search) {
    var params = new URLSearchParams(search);
    function single(name) { var v = (params.get(name) || "").trim(); return v ? v : null; }
    function many(name) { return sortedUnique((params.get(name) || "").split(",")); }
    var age = single("alder");
    var activity = single("aktivitet");
    return {
      kommun: single("kommun"),
      alder: age && /^[0-9]{1,3}$/.test(age) ? parseInt(age, 10) : null,
      forsorjning: single("forsorjning"),
      behov: many("behov"),
      aktivitet: activity !== null && own(data.etiketter.aktivitet, activity) ? activity : null,
      kontakter: many("kontakter"),
      remittent: single("remittent")
    };
  }

  /* Answers from a query string, keeping only values the page's questions offer, as known_answers() in
   * guide.py. allowed: question (the answer it sets) -> own-keyed set of its values, or null for a free
   * field (the age). Returns {answers, ignored}; ignored lists [question, value] in ANSWER_KEYS order. */
  function knownAnswers(search, allowed) {
    var params = new URLSearchParams(search);
    var parsed = answersFromQuery(search);
    var answers = {};
    var ignored = [];
    function offered(name, value) {
      if (!own(allowed, name)) { return false; }
      return allowed[name] === null || own(allowed[name], value);
    }
    ANSWER_KEYS.forEach(function (name) {
      var value = parsed[name];
      if (MANY_ANSWERS.indexOf(name) >= 0) {
        answers[name] = value.filter(function (v) { return offered(name, v); });
        value.forEach(function (v) { if (!offered(name, v)) { ignored.push([name, v]); } });
        return;
      }
      var raw = (params.get(name) || "").trim();
      answers[name] = value !== null && offered(name, value) ? value : null;
      if (answers[name] === null && raw) { ignored.push([name, raw]); }
    });
    return {answers: answers, ignored: ignored};
  }

  /* What the form asks: question (field name) -> {text, values}; values is an own-keyed set of the
   * offered values, or null for a free field. Built from the page, so no value list lives here. */
  function questionsOf(form) {
    var questions = Object.create(null);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name) { return; }
      if (!own(questions, field.name)) {
        var group = field.closest("fieldset");
        var text = group && (field.type === "checkbox" || field.type === "radio") ? group.querySelector("legend") :
          (field.labels && field.labels[0]);
        questions[field.name] = {text: text ? text.textContent.trim() : field.name, values: Object.create(null)};
      }
      var question = questions[field.name];
      if (question.values === null) { return; }
      if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) {
          if (option.value) { question.values[option.value] = true; }
        });
      } else if (field.type === "checkbox" || field.type === "radio") {
        question.values[field.value] = true;
      } else {
        question.values = null; // a free field: any value answersFromQuery() accepts
      }
    });
    return questions;
  }

  function allowedBy(questions) {
    var allowed = Object.create(null);
    Object.keys(questions).forEach(function (name) { allowed[name] = questions[name].values; });
    return allowed;
  }

  window.Insatsguiden = window.Insatsguiden || {};
  window.Insatsguiden.matchEntries = matchEntries;
  window.Insatsguiden.answersFromQuery = answersFromQuery;
  window.Insatsguiden.knownAnswers = knownAnswers;

  var form = document.getElementById("ig-vagvisare");
  var dataElement = document.getElementById("ig-vagvisare-data");
  if (!form || !dataElement) { return; }
  var data = JSON.parse(dataElement.textContent);
  var byId = Object.create(null);
  data.insatser.forEach(function (item) { byId[item.id] = item; });
  var output = document.getElementById("ig-resultat");
  var status = document.getElementById("ig-resultat-status");
  var template = document.getElementById("ig-resultat-mall");
  var questions = questionsOf(form);
  var allowed = allowedBy(questions);
  // Answers from the URL that the form does not offer are ignored; this notice says which.
  var notice = document.createElement("div");
  notice.id = "ig-okanda-svar";
  notice.className = "ig-notis ig-notis-varning";
  notice.setAttribute("role", "status");
  notice.hidden = true;
  form.parentNode.insertBefore(notice, form);

  function queryFromForm() {
    var params = new URLSearchParams();
    var groups = Object.create(null);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled) { return; }
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) { return; }
      if (field.value === "") { return; }
      if (!own(groups, field.name)) { groups[field.name] = []; }
      groups[field.name].push(field.value);
    });
    Object.keys(groups).sort().forEach(function (name) { params.set(name, groups[name].join(",")); });
    return params.toString();
  }

  function fillForm(answers) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name) { return; }
      var value = own(answers, field.name) ? answers[field.name] : null;
      if (field.type === "checkbox") {
        field.checked = Array.isArray(value) && value.indexOf(field.value) >= 0;
      } else if (field.type === "radio") {
        field.checked = value === field.value;
      } else if (field.tagName === "SELECT" || field.type === "number") {
        field.value = value === null || value === undefined ? "" : String(value);
      }
    });
  }

  var GROUP_HEADINGS = {"ordinarie": "Ordinarie insatser – pröva först",
                        "samordnad": "Samordnade insatser – när kriterierna passar",
                        "inte-tillganglig": "Inte tillgängligt just nu"};

  function render(answers) {
    var matches = matchEntries(data, answers);
    output.textContent = "";
    var fragment = document.createDocumentFragment();
    var heading = null;
    matches.forEach(function (match) {
      if (match.grupp !== heading) {
        heading = match.grupp;
        var h = document.createElement("h3");
        h.textContent = GROUP_HEADINGS[heading];
        fragment.appendChild(h);
      }
      var node = template.content.cloneNode(true);
      // The name becomes an h4 under the group's h3 (the template keeps a <p>, so it skips no level).
      var name = node.querySelector(".ig-resultat-namn");
      var title = document.createElement("h4");
      while (name.firstChild) { title.appendChild(name.firstChild); }
      name.replaceWith(title);
      var item = byId[match.id];
      var link = node.querySelector("a");
      link.textContent = item.namn;
      link.href = form.getAttribute("data-ig-bas") + "insatser/" + item.id + "/";
      var intake = node.querySelector(".ig-intag-text");
      intake.textContent = item.intag_obekraftat ? "Intag obekräftat" : labelOf(data.etiketter.intag, item.intag);
      intake.className += item.intag_obekraftat ? " ig-intag-obekraftad" : " ig-intag-" + item.intag;
      node.querySelector(".ig-skal").textContent = match.skal.length ? match.skal.join(" · ") : "Inga särskilda villkor";
      node.querySelector(".ig-remiss").textContent = "Remitteras av: " + (item.remittent_text || "uppgift saknas") +
        (item.egen_ansokan ? ". Personen kan ansöka själv." : ".");
      node.querySelector(".ig-kontakt").textContent = "Kontakt: " + (item.kontakt || "saknas – fråga samordningsförbundet") + ".";
      var warningList = node.querySelector(".ig-varningar");
      match.varningar.forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        warningList.appendChild(li);
      });
      if (!match.varningar.length) { warningList.remove(); }
      var checklist = node.querySelector(".ig-innan");
      if (match.grupp !== "samordnad") { checklist.remove(); } else {
        var list = checklist.querySelector(".ig-kriterier");
        var points = item.kriterier.map(function (c) { return "Stäm av med personen: " + c; })
          .concat(item.passar_inte_for.map(function (c) { return "Passar inte för: " + c; }))
          .concat(item.forvantningar.map(function (c) { return "Personen kan förvänta sig: " + c; }));
        if (item.kontakta_innan) { points.push("Kontakta teamet innan du skickar remissen."); }
        points.forEach(function (text) {
          var li = document.createElement("li");
          li.textContent = text;
          list.appendChild(li);
        });
        checklist.querySelector("a").href = link.href + "#kriterier";
      }
      fragment.appendChild(node);
    });
    output.appendChild(fragment);
    // What is recommended: everything but the measures listed apart as not available now.
    var recommended = matches.filter(function (match) { return match.grupp !== "inte-tillganglig"; }).length;
    document.getElementById("ig-ingen-traff").hidden = recommended > 0;
    var missing = document.getElementById("ig-saknas");
    missing.textContent = "";
    if (!recommended) {
      data.ej_tackta.forEach(function (gap) {
        var needFits = !answers.behov.length || answers.behov.some(function (n) { return gap.behov.indexOf(n) >= 0; });
        var placeFits = answers.kommun === null || gap.kommuner.indexOf(answers.kommun) >= 0;
        if (needFits && placeFits) {
          var li = document.createElement("li");
          li.textContent = "Saknas enligt källorna: " + gap.namn;
          missing.appendChild(li);
        }
      });
    }
    status.textContent = recommended === 1 ? "1 insats passar." : recommended + " insatser passar.";
  }

  function showIgnored(ignored) {
    notice.textContent = "";
    ignored.forEach(function (pair) {
      var question = own(questions, pair[0]) ? questions[pair[0]].text : pair[0];
      var line = document.createElement("p");
      line.textContent = "Svaret ”" + pair[1] + "” på frågan ”" + question + "” känns inte igen och har ignorerats.";
      notice.appendChild(line);
    });
    notice.hidden = !ignored.length;
  }

  /* Answers in the URL: only what the form offers counts; the rest is named in the notice. */
  function answersFromLocation() {
    var known = knownAnswers(window.location.search, allowed);
    showIgnored(known.ignored);
    return known.answers;
  }

  /* History: the first change after a shown result starts a new entry (a draft);
   * further changes replace it; "Visa insatser" settles it. So the back button
   * returns to the previous result, not to every single click. */
  function update(settle) {
    var query = queryFromForm();
    var url = window.location.pathname + (query ? "?" + query : "");
    var draft = history.state && history.state.igUtkast;
    var state = {igUtkast: !settle};
    if (draft || url === window.location.pathname + window.location.search) {
      history.replaceState(state, "", url);
    } else {
      history.pushState(state, "", url);
    }
    showIgnored([]);
    render(answersFromQuery(query));
    if (settle) { document.getElementById("ig-resultat-rubrik").focus(); }
  }

  form.addEventListener("change", function () { update(false); });
  form.addEventListener("submit", function (event) { event.preventDefault(); update(true); });
  window.addEventListener("popstate", function () {
    var answers = answersFromLocation();
    fillForm(answers);
    render(answers);
  });
  document.getElementById("ig-resultat-del").hidden = false;
  document.getElementById("ig-skriv-ut").addEventListener("click", function () { window.print(); });
  var initial = answersFromLocation();
  fillForm(initial);
  render(initial);
}());
