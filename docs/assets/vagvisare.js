/* Insatsguiden – vägvisaren in the browser: the triage, and the page that asks for it.
 *
 * evaluate() is a line-by-line port of insatsguiden/domain/guide.py:evaluate() and returns
 * the same JSON (keys, order, strings); knownAnswers() mirrors known_answers().
 * tests/test_guide_parity.py runs both on hundreds of generated answer sets.
 * Like the Python, the code knows question *kinds* only through the exported data
 * (typ, flera, tal, avgransar, behov_vid_ja): no question id, measure or field rule lives here.
 *
 * Answers, ids and labels are looked up as own properties only (get(), Object.create(null)
 * maps): an answer such as "constructor" or "__proto__" must find nothing, as in Python,
 * not a property every object inherits. The page builds its DOM with textContent only.
 * Without this file the form still GETs /vagvisare/ and the pages per kommun stay linked.
 */
(function () {
  "use strict";

  var UNKNOWN = "vet-inte";                     // an answer that counts as no answer
  var UNAVAILABLE = "inte-tillganglig";
  var OUTCOMES = ["kan-passa", "stam-av", "passar-inte", UNAVAILABLE];
  var hasOwn = Object.prototype.hasOwnProperty;

  // --- Python semantics, as much of them as guide.py relies on ----------------------------

  function own(object, key) {
    return object !== null && typeof object === "object" && typeof key === "string" && hasOwn.call(object, key);
  }

  /* dict.get(key): the own value, or null (None). */
  function get(object, key) { return own(object, key) ? object[key] : null; }

  /* dict.get(value, value): a label, or the value itself. */
  function labelOf(labels, value) { return own(labels, value) ? labels[value] : value; }

  /* Python's ==, for the JSON values answers and data hold. */
  function eq(a, b) {
    if (Array.isArray(a) || Array.isArray(b)) {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) { return false; }
      for (var i = 0; i < a.length; i++) { if (!eq(a[i], b[i])) { return false; } }
      return true;
    }
    if (a === undefined) { a = null; }
    if (b === undefined) { b = null; }
    return a === b;
  }

  /* `value in list` */
  function contains(list, value) {
    for (var i = 0; i < list.length; i++) { if (eq(list[i], value)) { return true; } }
    return false;
  }

  /* Python truthiness. */
  function truthy(value) {
    if (value === null || value === undefined || value === false) { return false; }
    if (typeof value === "number") { return value !== 0; }
    if (typeof value === "string" || Array.isArray(value)) { return value.length > 0; }
    if (typeof value === "object") { return Object.keys(value).length > 0; }
    return true;
  }

  /* list(value or []) */
  function listOf(value) {
    if (!truthy(value)) { return []; }
    if (Array.isArray(value)) { return value.slice(); }
    if (typeof value === "string") { return Array.from(value); }   // by code point, as Python iterates
    if (typeof value === "object") { return Object.keys(value); }
    throw new TypeError("not iterable");
  }

  /* str(value) in an f-string */
  function str(value) {
    if (value === null || value === undefined) { return "None"; }
    if (value === true) { return "True"; }
    if (value === false) { return "False"; }
    return String(value);
  }

  function isInt(value) { return typeof value === "number" && Number.isInteger(value); }

  /* An own property, also for names such as "__proto__" that a plain assignment would not create. */
  function setOwn(object, key, value) {
    Object.defineProperty(object, key, {value: value, enumerable: true, writable: true, configurable: true});
  }

  // --- model/conditions.py ---------------------------------------------------------------

  function holds(condition, answer) {
    var rule = get(condition, "regel");
    if (rule === "lika") { return eq(answer, get(condition, "varde")); }
    if (rule === "i") { var values = get(condition, "varden"); return contains(truthy(values) ? values : [], answer); }
    if (!isInt(answer)) { return false; }
    if (rule === "mellan") { return condition.min <= answer && answer <= condition.max; }
    if (rule === "minst") { return answer >= condition.varde; }
    if (rule === "hogst") { return answer <= condition.varde; }
    return false;
  }

  function state(condition, answer) {
    if (answer === null || answer === undefined || eq(answer, UNKNOWN) || (Array.isArray(answer) && !answer.length)) {
      return "okant";
    }
    var hit = holds(condition, answer);
    return hit === (get(condition, "typ") === "krav") ? "uppfyllt" : "ej";
  }

  // --- domain/guide.py: the evaluation --------------------------------------------------------

  function byKey(list, key) {
    var found = Object.create(null);
    list.forEach(function (item) { found[item[key]] = item; });
    return found;
  }

  function lookup(map, key) { return typeof key === "string" && hasOwn.call(map, key) ? map[key] : undefined; }

  function firstOfKind(data, kind) {
    for (var i = 0; i < data.fragor.length; i++) { if (data.fragor[i].typ === kind) { return data.fragor[i]; } }
    return null;
  }

  function answerTo(answers, question) { return question !== null ? get(answers, question.id) : null; }

  function compareKeys(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) { return -1; }
      if (a[i] > b[i]) { return 1; }
    }
    return 0;
  }

  function offered(question, value) {
    if (question.tal) { return isInt(value) && value >= question.min && value <= question.max; }
    return typeof value === "string" && (question.varden || []).some(function (option) { return option[0] === value; });
  }

  /* Only answers the questions offer, in the shape each takes (guide.py:offered_answers). */
  function offeredAnswers(data, answers) {
    var kept = Object.create(null);
    data.fragor.forEach(function (question) {
      var value = get(answers, question.id);
      if (question.flera) {
        if (Array.isArray(value)) {
          var chosen = value.filter(function (v) { return typeof v === "string" && offered(question, v); });
          if (chosen.length) {
            kept[question.id] = question.varden.map(function (option) { return option[0]; })
              .filter(function (v) { return chosen.indexOf(v) >= 0; });
          }
        }
      } else if (offered(question, value)) {
        kept[question.id] = value;
      }
    });
    return kept;
  }

  function evaluate(data, answers) {
    answers = offeredAnswers(data, answers);
    var questionsById = byKey(data.fragor, "id");
    var needLabels = data.etiketter.behov;
    var remittentLabels = data.etiketter.remittent;
    var names = Object.create(null);
    var closed = Object.create(null);
    data.insatser.forEach(function (item) {
      names[item.id] = item.namn;
      if (truthy(item.ej_tillganglig)) { closed[item.id] = item.ej_tillganglig; }
    });
    var handedOff = data.hanvisningar || {};
    Object.keys(handedOff).forEach(function (id) {
      names[id] = handedOff[id][0];
      if (truthy(handedOff[id][1])) { closed[id] = handedOff[id][1]; }
    });
    // Needs: urgent ones (a "ja" that brings a need), the first need, then the others chosen.
    var urgent = [];
    data.fragor.forEach(function (question) {
      if (truthy(question.behov_vid_ja) && eq(get(answers, question.id), "ja") && !contains(urgent, question.behov_vid_ja)) {
        urgent.push(question.behov_vid_ja);
      }
    });
    var first = answerTo(answers, firstOfKind(data, "forsta_behov"));
    var chosen = listOf(answerTo(answers, firstOfKind(data, "behov")));
    var needs = [];
    urgent.concat(truthy(first) ? [first] : [], chosen).forEach(function (need) {
      if (!contains(needs, need)) { needs.push(need); }
    });
    var contacts = listOf(answerTo(answers, firstOfKind(data, "kontakter")));
    var referrer = answerTo(answers, firstOfKind(data, "remittent"));

    var lists = Object.create(null);
    OUTCOMES.forEach(function (outcome) { lists[outcome] = []; });
    // Measures a one-kommun export left out: in another kommun whenever they meet a chosen need.
    var elsewhere = 0;
    (data.utanfor || []).forEach(function (pair) {
      if (!needs.length || needs.some(function (need) { return contains(pair[0], need); })) { elsewhere += pair[1]; }
    });
    data.insatser.forEach(function (item, position) {
      var metNeeds = needs.filter(function (need) { return contains(item.behov, need); });
      if (needs.length && !metNeeds.length) { return; }
      var checked = item.villkor.map(function (index) {
        var condition = data.villkor[index];
        return [condition, state(condition, get(answers, condition.fraga))];
      });
      if (checked.some(function (pair) { return pair[1] === "ej" && questionsById[pair[0].fraga].avgransar; })) {
        elsewhere += 1;
        return;
      }
      var failed = checked.filter(function (pair) { return pair[1] === "ej"; }).map(function (pair) { return pair[0]; });
      var toClarify = checked.filter(function (pair) { return pair[1] === "okant" && pair[0].om_okant === "stam_av"; })
        .map(function (pair) { return pair[0].fraga; });
      var reasons = metNeeds.map(function (need) { return labelOf(needLabels, need); });
      checked.forEach(function (pair) {
        if (pair[1] === "uppfyllt" && pair[0].typ === "krav") { reasons.push(pair[0].skal); }
      });
      contacts.forEach(function (contact) {
        if (contains(item.remittenter, contact)) { reasons.push("kan remitteras av " + str(labelOf(remittentLabels, contact))); }
      });
      var warnings = item.varningar.slice();
      if (truthy(referrer) && item.remittenter.length && !contains(item.remittenter, referrer)) {
        warnings.push(str(labelOf(remittentLabels, referrer)) + " står inte bland dem som kan remittera" +
          (item.egen_ansokan ? "; personen kan ansöka själv." : "."));
      }
      var turnTo = [];
      var outcome;
      if (truthy(item.ej_tillganglig)) {
        outcome = UNAVAILABLE;
        reasons = [item.ej_tillganglig];
        warnings = [];
      } else if (failed.length) {
        outcome = "passar-inte";
        reasons = failed.map(function (condition) { return condition.varfor_inte; });
        failed.forEach(function (condition) {
          // One condition's list is checked against those before it only, as the Python comprehension does.
          var added = condition.hanvisa_till.filter(function (t) { return !contains(turnTo, t) && !eq(t, item.id); });
          turnTo = turnTo.concat(added);
        });
      } else if (toClarify.length) {
        outcome = "stam-av";
      } else {
        outcome = "kan-passa";
      }
      var primary = urgent.some(function (n) { return contains(item.primart_for, n); }) ? 0 :
        truthy(first) && contains(item.primart_for, first) ? 1 :
        needs.some(function (n) { return contains(item.primart_for, n); }) ? 2 : 3;
      var key = [primary, item.ordinarie ? 0 : 1, -metNeeds.length, item.oppet ? 0 : 1];
      var clarify = [];
      toClarify.forEach(function (id) { if (!contains(clarify, id)) { clarify.push(id); } });
      lists[outcome].push({
        result: {
          id: item.id, namn: item.namn, utfall: outcome, skal: reasons, varningar: warnings,
          // Where to turn instead, and whether that place can take anyone now.
          hanvisa_till: turnTo.map(function (t) {
            var name = lookup(names, t);
            var reason = lookup(closed, t);
            return {id: t, namn: name === undefined ? t : name, ej_tillganglig: reason === undefined ? "" : reason};
          }),
          // What to clarify only matters while nothing has ruled the measure out.
          stam_av: outcome === "stam-av" ? clarify.map(function (id) { return {id: id, fraga: questionsById[id].kort}; }) : [],
          villkor: checked.map(function (pair) {
            return {text: pair[0].text, tillstand: pair[1], varfor_inte: pair[0].varfor_inte};
          }),
          rang: rankReasons(key, item, first, urgent, needLabels, needs.length)
        },
        key: key.concat([position])
      });
    });
    var found = Object.create(null);
    OUTCOMES.forEach(function (outcome) {
      var ranked = lists[outcome].sort(function (a, b) { return compareKeys(a.key, b.key); });
      found[outcome] = ranked.map(function (entry, index) {
        entry.result.lika_som_foregaende = index > 0 && compareKeys(ranked[index - 1].key.slice(0, 4), entry.key.slice(0, 4)) === 0;
        return entry.result;
      });
    });
    var possible = found["kan-passa"].concat(found["stam-av"]);
    var itemsById = byKey(data.insatser, "id");
    var askedAbout = Object.create(null);
    possible.forEach(function (result) {
      itemsById[result.id].villkor.forEach(function (index) { askedAbout[data.villkor[index].fraga] = true; });
    });
    var remaining = data.fragor.filter(function (q) {
      var answer = get(answers, q.id);
      return lookup(askedAbout, q.id) === true &&
        (answer === null || answer === undefined || eq(answer, UNKNOWN) || eq(answer, []));
    }).map(function (q) { return q.id; });
    return {
      resultat: found["kan-passa"],
      stam_av: found["stam-av"],
      passar_inte: found["passar-inte"],
      inte_tillgangliga: found[UNAVAILABLE],
      ej_tackta_behov: unmet(data, answers, needs, possible, itemsById),
      fragor_kvar: remaining,
      // Questions worth showing: those some possible measure has a condition on, and those answered.
      fragor_relevanta: data.fragor.filter(function (q) {
        return lookup(askedAbout, q.id) === true || own(answers, q.id);
      }).map(function (q) { return q.id; }),
      andra_kommuner: elsewhere
    };
  }

  /* Why a measure stands where it stands, one phrase per ranking key (guide.py:_rank_reasons). */
  function rankReasons(key, item, first, urgent, needLabels, needs) {
    var reasons = [];
    if (key[0] === 0) {
      reasons.push("huvudsyfte: " + item.primart_for.filter(function (n) { return contains(urgent, n); })
        .map(function (n) { return labelOf(needLabels, n); }).join(", "));
    } else if (key[0] === 1) {
      reasons.push("huvudsyfte: " + str(labelOf(needLabels, first)) + " (första behovet)");
    } else if (key[0] === 2) {
      reasons.push("huvudsyfte: ett av behoven");
    }
    reasons.push(item.ordinarie ? "ordinarie insats" : "samordnad insats");
    if (needs) { reasons.push("möter " + str(-key[2]) + " av " + str(needs) + " behov"); }
    reasons.push(item.oppet ? "öppet intag" : "intaget är inte öppet eller inte bekräftat");
    return reasons;
  }

  /* Chosen needs that no possible measure meets, or that the sources record as missing (guide.py:_unmet). */
  function unmet(data, answers, needs, possible, itemsById) {
    var kommun = answerTo(answers, firstOfKind(data, "kommun"));
    var forbund = truthy(kommun) ? get(data.forbund, kommun) : null;
    var found = [];
    needs.forEach(function (need) {
      var uncovered = !possible.some(function (result) { return contains(itemsById[result.id].behov, need); });
      var recorded = data.ej_tackta.filter(function (gap) {
        return contains(gap.behov, need) && (!truthy(kommun) || contains(gap.kommuner, kommun));
      }).map(function (gap) { return {id: gap.id, namn: gap.namn, kalla: gap.kalla}; });
      if (uncovered || recorded.length) {
        found.push({behov: need, namn: labelOf(data.etiketter.behov, need), inget_alternativ: uncovered,
                    registrerade: recorded, forbund: forbund});
      }
    });
    return found;
  }

  // --- domain/guide.py: answers from a URL -------------------------------------------------------

  // Python's str.strip(): its whitespace, which is not quite JavaScript's \s (no U+FEFF; adds U+001C–U+001F, U+0085).
  var PY_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var PY_STRIP = new RegExp("^[" + PY_SPACE + "]+|[" + PY_SPACE + "]+$", "g");

  function pyStrip(text) { return text.replace(PY_STRIP, ""); }

  /* The query as (name, value) pairs in order of first appearance; a repeated parameter (a form
   * sent without JavaScript repeats behov=…) becomes one value joined with commas. */
  function queryPairs(search) {
    var values = Object.create(null);
    var order = [];
    new URLSearchParams(search).forEach(function (value, name) {
      if (!hasOwn.call(values, name)) { values[name] = []; order.push(name); }
      values[name].push(value);
    });
    return order.map(function (name) { return [name, values[name].join(",")]; });
  }

  /* Answers from a URL query, keeping what the questions offer (guide.py:known_answers).
   * Returns {answers, ignored}; ignored lists [parameter, value] to report. */
  function knownAnswers(search, data) {
    var answers = {};
    var ignored = [];
    var byId = byKey(data.fragor, "id");
    queryPairs(search).forEach(function (pair) {
      var name = pair[0];
      var raw = pyStrip(pair[1] || "");
      if (!raw) { return; }
      var question = lookup(byId, name);
      if (question === undefined) {
        ignored.push([name, raw]);
      } else if (question.flera) {
        var parts = raw.split(",").filter(function (part) { return part; });
        var order = (question.varden || []).map(function (option) { return option[0]; });
        var kept = order.filter(function (value) { return parts.indexOf(value) >= 0; });
        var seen = Object.create(null);
        parts.forEach(function (part) {
          if (hasOwn.call(seen, part)) { return; }
          seen[part] = true;
          if (order.indexOf(part) < 0) { ignored.push([name, part]); }
        });
        if (kept.length) { setOwn(answers, name, kept); }
      } else if (question.tal) {
        if (/^[0-9]{1,3}$/.test(raw) && offered(question, parseInt(raw, 10))) {
          setOwn(answers, name, parseInt(raw, 10));
        } else {
          ignored.push([name, raw]);
        }
      } else if (offered(question, raw)) {
        setOwn(answers, name, raw);
      } else {
        ignored.push([name, raw]);
      }
    });
    return {answers: answers, ignored: ignored};
  }

  window.Insatsguiden = window.Insatsguiden || {};
  window.Insatsguiden.evaluate = evaluate;
  window.Insatsguiden.knownAnswers = knownAnswers;

  // --- the page ------------------------------------------------------------------------------------

  var form = document.getElementById("ig-vagvisare");
  var dataElement = document.getElementById("ig-vagvisare-data");
  if (!form || !dataElement) { return; }
  // The page embeds the questions and labels; the measures come with the chosen kommun's document
  // from the API (api/v1/kommuner/<id>.json), fetched once per kommun. Without a kommun question
  // the page embeds the whole export instead.
  var data = JSON.parse(dataElement.textContent);
  var base = form.getAttribute("data-ig-bas") || "";
  var documents = form.getAttribute("data-ig-kommuner") || "";
  var kommunQuestion = data.insatser ? null : firstOfKind(data, "kommun");
  var loaded = Object.create(null);      // kommun id -> its guide data
  var failed = Object.create(null);      // kommun id -> true when its document could not be fetched
  var entries = data.insatser ? byKey(data.insatser, "id") : Object.create(null);
  var questionsById = byKey(data.fragor, "id");
  var output = document.getElementById("ig-resultat");
  var status = document.getElementById("ig-resultat-status");
  var section = document.getElementById("ig-resultat-del");
  var shownQuestions = form.querySelector(".ig-fragor");
  var more = form.querySelector(".ig-fler-fragor");
  var moreList = more.querySelector(".ig-fler-fragor-lista");
  var moreCount = more.querySelector(".ig-fler-fragor-antal");
  var blocks = Array.prototype.filter.call(shownQuestions.children, function (node) {
    return node.hasAttribute("data-ig-fraga");
  });

  // Answers from the URL that the questions do not offer are ignored; this notice says which.
  var notice = document.createElement("div");
  notice.id = "ig-okanda-svar";
  notice.className = "ig-notis ig-notis-varning";
  notice.setAttribute("role", "status");
  notice.hidden = true;
  form.parentNode.insertBefore(notice, form);

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function link(text, href) {
    var node = element("a", text);
    node.href = href;
    return node;
  }

  function insatsHref(id) { return base + "insatser/" + encodeURIComponent(id) + "/"; }

  function fieldsByName() {
    var found = Object.create(null);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name) { return; }
      if (!hasOwn.call(found, field.name)) { found[field.name] = []; }
      found[field.name].push(field);
    });
    return found;
  }

  /* The form's answers as a query, in the questions' order: what the URL keeps. */
  function queryFromForm() {
    var fields = fieldsByName();
    var params = new URLSearchParams();
    data.fragor.forEach(function (question) {
      if (!hasOwn.call(fields, question.id)) { return; }
      var values = [];
      fields[question.id].forEach(function (field) {
        if (field.disabled) { return; }
        if ((field.type === "checkbox" || field.type === "radio") && !field.checked) { return; }
        if (field.value !== "" && values.indexOf(field.value) < 0) { values.push(field.value); }
      });
      if (values.length) { params.set(question.id, values.join(",")); }
    });
    // Commas are allowed in a query as they are: a link a case worker shares reads behov=arbete,bostad.
    return params.toString().replace(/%2C/g, ",");
  }

  function fillForm(answers) {
    var fields = fieldsByName();
    Object.keys(fields).forEach(function (name) {
      var value = get(answers, name);
      fields[name].forEach(function (field) {
        if (field.type === "checkbox") {
          field.checked = Array.isArray(value) && value.indexOf(field.value) >= 0;
        } else if (field.type === "radio") {
          field.checked = value === field.value;
        } else if (field.tagName === "SELECT" || field.tagName === "INPUT") {
          field.value = value === null ? "" : String(value);
        }
      });
    });
  }

  /* Ask only what matters: a question that can carry conditions shows while a remaining measure
   * has a condition on it, or it is answered, or it has focus; the rest wait under "Fler frågor". */
  function fold(relevant) {
    var active = document.activeElement;
    var folded = 0;
    blocks.forEach(function (block, index) {
      var shown = block.getAttribute("data-ig-fallbar") !== "ja" ||
        relevant.indexOf(block.getAttribute("data-ig-fraga")) >= 0 || block.contains(active);
      var target = shown ? shownQuestions : moreList;
      if (!shown) { folded += 1; }
      if (block.parentNode === target) { return; }
      // Keep the questions' order in both places: before the next block already there.
      var next = null;
      for (var later = index + 1; later < blocks.length && next === null; later++) {
        if (blocks[later].parentNode === target) { next = blocks[later]; }
      }
      target.insertBefore(block, next);
      // Moving a node takes focus from the field inside it: the field being answered keeps it.
      if (block.contains(active) && document.activeElement !== active) { active.focus(); }
    });
    moreCount.textContent = String(folded);
    more.hidden = folded === 0;
  }

  var GROUPS = [
    {list: "resultat", heading: "Kan passa", why: "Varför "},
    {list: "stam_av", heading: "Stäm av först", why: "Varför "},
    {list: "passar_inte", heading: "Passar inte", why: "Varför inte "},
    {list: "inte_tillgangliga", heading: "Inte tillgängligt just nu", why: "Varför "}
  ];
  var STATES = {"uppfyllt": "uppfyllt", "ej": "inte uppfyllt", "okant": "inte besvarat"};

  function labelled(label, text, className) {
    var paragraph = element("p", null, className);
    paragraph.appendChild(element("span", label, "ig-etikett"));
    paragraph.appendChild(document.createTextNode(" " + text));
    return paragraph;
  }

  function list(items, className) {
    var ul = element("ul", null, className);
    items.forEach(function (item) {
      var li = element("li");
      if (typeof item === "string") { li.textContent = item; } else { li.appendChild(item); }
      ul.appendChild(li);
    });
    return ul;
  }

  /* "Varför …?": every condition of the measure and its state, built when first opened. */
  function whyDetails(result, prefix) {
    var details = element("details", null, "ig-varfor");
    details.appendChild(element("summary", prefix + result.namn + "?"));
    details.addEventListener("toggle", function () {
      if (!details.open || details.children.length > 1) { return; }
      if (!result.villkor.length) {
        details.appendChild(element("p", "Guiden har inga villkor för insatsen."));
        return;
      }
      details.appendChild(list(result.villkor.map(function (condition) {
        var line = document.createDocumentFragment();
        line.appendChild(document.createTextNode(condition.text + " – "));
        line.appendChild(element("span", STATES[condition.tillstand], "ig-tillstand ig-tillstand-" + condition.tillstand));
        if (condition.tillstand === "ej") { line.appendChild(document.createTextNode(". " + condition.varfor_inte)); }
        return line;
      }), "ig-villkorslista"));
    });
    return details;
  }

  function card(result, group) {
    var item = entries[result.id];
    var article = element("article", null, "ig-resultat ig-utfall-" + result.utfall);
    var title = element("h4");
    title.appendChild(link(result.namn, insatsHref(result.id)));
    article.appendChild(title);
    if (result.utfall === "passar-inte") {
      article.appendChild(list(result.skal, "ig-skal"));
      if (result.hanvisa_till.length) {
        var instead = element("p", null, "ig-hanvisa");
        instead.appendChild(element("span", "Vänd dig i stället till:", "ig-etikett"));
        result.hanvisa_till.forEach(function (target, index) {
          instead.appendChild(document.createTextNode(index ? ", " : " "));
          instead.appendChild(link(target.namn, insatsHref(target.id)));
          if (target.ej_tillganglig) { instead.appendChild(document.createTextNode(" (" + target.ej_tillganglig + ")")); }
        });
        article.appendChild(instead);
      }
    } else if (result.utfall === UNAVAILABLE) {
      article.appendChild(element("p", result.skal.join(" "), "ig-skal"));
    } else {
      article.appendChild(labelled("Därför:", result.skal.length ? result.skal.join(" · ") : "Inga särskilda villkor", "ig-skal-rad"));
    }
    if (result.stam_av.length) {
      var clarify = element("div", null, "ig-innan");
      clarify.appendChild(element("p", "Klara ut med verksamheten innan du remitterar:", "ig-etikett"));
      clarify.appendChild(list(result.stam_av.map(function (q) { return q.fraga; }), "ig-stam-av"));
      if (item && item.innan) {
        var checklist = element("p");
        checklist.appendChild(link("Innan du remitterar: " + result.namn, insatsHref(result.id) + "innan-du-remitterar/"));
        clarify.appendChild(checklist);
      }
      article.appendChild(clarify);
    }
    if (result.varningar.length) { article.appendChild(list(result.varningar, "ig-varningar")); }
    if (group.list !== "inte_tillgangliga") {
      article.appendChild(element("p", "Ordning: " + result.rang.join(", ") +
        (result.lika_som_foregaende ? "; lika i övrigt som föregående; i bokstavsordning" : "") + ".", "ig-meta ig-rang"));
      if (item) {
        article.appendChild(element("p", "Remitteras av: " + (item.remittent_text || "uppgift saknas") +
          (item.egen_ansokan ? ". Personen kan ansöka själv." : ".") +
          " Kontakt: " + (item.kontakt || "saknas – fråga samordningsförbundet") + ".", "ig-meta"));
      }
    }
    article.appendChild(whyDetails(result, group.why));
    return article;
  }

  function unmetNeeds(gaps) {
    var box = section.querySelector(".ig-ej-tackta");
    box.textContent = "";
    if (!gaps.length) { return; }
    box.appendChild(element("h3", "Behov som inte möts (" + gaps.length + ")"));
    gaps.forEach(function (gap) {
      var part = element("div", null, "ig-notis ig-notis-varning ig-behov-saknas");
      if (gap.inget_alternativ) { part.appendChild(element("p", "Ingen tillgänglig insats möter behovet " + gap.namn + ".")); }
      if (gap.registrerade.length) {
        part.appendChild(element("p", "Saknas enligt källorna (" + gap.namn + "):"));
        part.appendChild(list(gap.registrerade.map(function (recorded) {
          return recorded.namn + (recorded.kalla ? " (källa: " + recorded.kalla + ")" : "");
        })));
      }
      if (gap.forbund) {
        var tell = element("p", "Berätta om behovet för ");
        tell.appendChild(link(gap.forbund.namn, base + "organisationer/" + encodeURIComponent(gap.forbund.id) + "/"));
        tell.appendChild(document.createTextNode("."));
        part.appendChild(tell);
      }
      box.appendChild(part);
    });
  }

  function blockOf(id) {
    for (var i = 0; i < blocks.length; i++) { if (blocks[i].getAttribute("data-ig-fraga") === id) { return blocks[i]; } }
    return null;
  }

  /* Open "Fler frågor" when needed and move to the question's first field. */
  function goToQuestion(event) {
    event.preventDefault();
    var block = blockOf(event.currentTarget.getAttribute("data-ig-till"));
    if (!block) { return; }
    if (moreList.contains(block)) { more.open = true; }
    block.scrollIntoView({block: "center"});
    var field = block.querySelector("input, select");
    if (field) { field.focus(); }
  }

  function questionsLeft(ids) {
    var box = section.querySelector(".ig-fragor-kvar");
    box.textContent = "";
    box.hidden = !ids.length;
    if (!ids.length) { return; }
    box.appendChild(element("span", "Svara gärna på:", "ig-etikett"));
    ids.forEach(function (id, index) {
      box.appendChild(document.createTextNode(index ? ", " : " "));
      var to = link(questionsById[id].kort, "#ig-" + id);
      to.setAttribute("data-ig-till", id);
      to.addEventListener("click", goToQuestion);
      box.appendChild(to);
    });
    box.appendChild(document.createTextNode("."));
  }

  var MANY = 150;
  var FIRST_CARDS = 25;   // cards shown per group before "Visa alla"

  function listed(result) {
    return result.resultat.length + result.stam_av.length + result.passar_inte.length + result.inte_tillgangliga.length;
  }

  function count(n, one, many) { return n + " " + (n === 1 ? one : many); }

  /* The answers a printed result was given for: the form itself does not print. */
  function answeredSummary(answers) {
    var parts = [];
    data.fragor.forEach(function (question) {
      var value = get(answers, question.id);
      if (value === null) { return; }
      var values = Array.isArray(value) ? value : [value];
      var texts = values.map(function (v) {
        var option = (question.varden || []).filter(function (o) { return o[0] === v; })[0];
        return option ? option[1] : String(v);
      });
      parts.push(question.kort.replace(/[?:]$/, "") + ": " + texts.join(", "));
    });
    return parts.length ? "Svar: " + parts.join(" · ") + "." : "Inga svar angivna.";
  }

  /* The status is announced by screen readers: while an age is being typed it waits for a pause,
   * so that each keystroke does not read out a new count. */
  var STATUS_PAUSE = 800;
  var statusTimer = null;

  function announce(text, typing) {
    window.clearTimeout(statusTimer);
    statusTimer = null;
    if (typing) {
      statusTimer = window.setTimeout(function () { announce(text, false); }, STATUS_PAUSE);
      return;
    }
    status.textContent = text;
  }

  /* Before a kommun is chosen, while its document loads, or when it cannot be fetched: a notice in
   * place of the result, every question shown. */
  function waiting(text, kommun) {
    window.clearTimeout(statusTimer);
    fold(data.fragor.map(function (question) { return question.id; }));
    output.textContent = "";
    var note = element("p", text, "ig-notis" + (kommun ? " ig-notis-varning" : ""));
    if (kommun) {
      note.appendChild(document.createTextNode(" Se i stället "));
      note.appendChild(link("insatserna per behov i " + kommunName(kommun), base + "vagvisare/" + encodeURIComponent(kommun) + "/"));
      note.appendChild(document.createTextNode("."));
    }
    output.appendChild(note);
    ["#ig-ingen-traff", ".ig-fragor-kvar", ".ig-andra-kommuner"].forEach(function (selector) {
      section.querySelector(selector).hidden = true;
    });
    section.querySelector(".ig-ej-tackta").textContent = "";
    section.querySelector(".ig-svar-utskrift").textContent = "";
    status.textContent = text;
  }

  function kommunName(kommun) {
    var option = (kommunQuestion.varden || []).filter(function (o) { return o[0] === kommun; })[0];
    return option ? option[1] : kommun;
  }

  /* The guide data for the answers' kommun: embedded, loaded, or fetched now (null until it is). */
  function guideFor(answers) {
    if (!kommunQuestion) { return data; }
    var kommun = get(answers, kommunQuestion.id);
    if (kommun === null) {
      waiting("Välj kommun, så visas de insatser som kan passa där.");
      return null;
    }
    if (hasOwn.call(loaded, kommun)) {
      entries = loaded[kommun].entries;
      return loaded[kommun].data;
    }
    if (hasOwn.call(failed, kommun)) {
      waiting("Insatserna i " + kommunName(kommun) + " kunde inte hämtas.", kommun);
      return null;
    }
    waiting("Hämtar insatserna i " + kommunName(kommun) + " …");
    window.fetch(documents + encodeURIComponent(kommun) + ".json", {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (found) {
        if (!found || !found.vagvisare || !Array.isArray(found.vagvisare.insatser)) { throw new Error("format"); }
        loaded[kommun] = {data: found.vagvisare, entries: byKey(found.vagvisare.insatser, "id")};
      })
      .catch(function () { failed[kommun] = true; })
      .then(function () {
        // The answers may have changed while the document loaded: show the result for the current ones.
        var current = knownAnswers(queryFromForm(), data).answers;
        if (get(current, kommunQuestion.id) === kommun) { render(current); }
      });
    return null;
  }

  function render(answers, typing) {
    var guide = guideFor(answers);
    if (guide === null) { return; }
    var result = evaluate(guide, answers);
    section.querySelector(".ig-svar-utskrift").textContent = answeredSummary(answers);
    fold(result.fragor_relevanta);
    var fragment = document.createDocumentFragment();
    GROUPS.forEach(function (group) {
      var found = result[group.list];
      if (!found.length) { return; }
      var part = element("section", null, "ig-grupp ig-grupp-" + group.list);
      part.appendChild(element("h3", group.heading + " (" + found.length + ")"));
      // The first cards of each group at once; the rest when asked for, so a large catalogue
      // answers a change quickly. The count in the heading and the status always say how many.
      found.slice(0, FIRST_CARDS).forEach(function (entry) { part.appendChild(card(entry, group)); });
      if (found.length > FIRST_CARDS) {
        var more = element("button", "Visa alla " + found.length, "md-button ig-visa-alla");
        more.type = "button";
        more.addEventListener("click", function () {
          var rest = document.createDocumentFragment();
          found.slice(FIRST_CARDS).forEach(function (entry) { rest.appendChild(card(entry, group)); });
          var firstAdded = rest.firstChild;
          part.insertBefore(rest, more);
          part.removeChild(more);
          // The button is gone: focus moves to the first card it added, not to the top of the page.
          firstAdded.querySelector("h4 a").focus();
        });
        part.appendChild(more);
      }
      fragment.appendChild(part);
    });
    output.textContent = "";
    // Many results: let the browser lay out only the cards near the screen (see the CSS).
    output.classList.toggle("ig-manga", listed(result) > MANY);
    output.appendChild(fragment);
    document.getElementById("ig-ingen-traff").hidden = result.resultat.length + result.stam_av.length > 0;
    unmetNeeds(result.ej_tackta_behov);
    questionsLeft(result.fragor_kvar);
    var elsewhere = section.querySelector(".ig-andra-kommuner");
    elsewhere.hidden = !result.andra_kommuner;
    elsewhere.textContent = count(result.andra_kommuner, "insats finns", "insatser finns") + " bara i andra kommuner.";
    var counts = [count(result.resultat.length, "kan passa", "kan passa"),
                  result.stam_av.length + " att stämma av", result.passar_inte.length + " passar inte"];
    if (result.inte_tillgangliga.length) { counts.push(result.inte_tillgangliga.length + " inte tillgängliga just nu"); }
    announce(counts.join(", ") + ".", typing);
  }

  function showIgnored(ignored) {
    notice.textContent = "";
    ignored.forEach(function (pair) {
      var question = lookup(questionsById, pair[0]);
      var line = element("p", "Svaret ”" + pair[1] + "” på frågan ”" + (question ? question.kort : pair[0]) +
        "” känns inte igen och har ignorerats.");
      notice.appendChild(line);
    });
    notice.hidden = !ignored.length;
  }

  function answersFromLocation() {
    var known = knownAnswers(window.location.search, data);
    showIgnored(known.ignored);
    return known.answers;
  }

  /* History: answers live in the URL. Changes replace the current entry, except that the first
   * change after a settled result ("Visa insatser") starts a new one, so the back button
   * returns to the previous result, not to every single click. */
  function update(settle, typing) {
    var query = queryFromForm();
    var url = window.location.pathname + (query ? "?" + query : "");
    var draft = history.state && history.state.igUtkast;
    var entry = {igUtkast: !settle};
    if (draft || url === window.location.pathname + window.location.search || !history.state) {
      history.replaceState(entry, "", url);
    } else {
      history.pushState(entry, "", url);
    }
    showIgnored([]);
    render(knownAnswers(query, data).answers, typing);
    if (settle) { document.getElementById("ig-resultat-rubrik").focus(); }
  }

  form.addEventListener("change", function (event) {
    if (event.target.type !== "number") { update(false); }   // a number has answered already, on input
  });
  form.addEventListener("input", function (event) {
    if (event.target.type === "number") { update(false, true); }   // typing an age; boxes and lists send change
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); update(true); });
  window.addEventListener("popstate", function () {
    var answers = answersFromLocation();
    fillForm(answers);
    render(answers);
  });
  section.hidden = false;
  document.getElementById("ig-skriv-ut").addEventListener("click", function () { window.print(); });
  var initial = answersFromLocation();
  fillForm(initial);
  render(initial);
  history.replaceState({igUtkast: false}, "", window.location.href);
}());
