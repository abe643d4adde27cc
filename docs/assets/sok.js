/* Insatsguiden – search with Pagefind (Swedish stemming) plus the acronyms and
 * synonyms in data/insatser.yaml (sokord). Each word of the query is tried as
 * written and as its listed alternatives; results are merged by best score.
 * Words and result ids are looked up as own properties only: a query such as
 * "constructor" must find nothing, not a property every object inherits. */
(function () {
  "use strict";

  function own(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  var list = document.getElementById("ig-sok-resultat");
  if (!list) { return; }
  var input = document.getElementById("ig-sok-fraga");
  var status = document.getElementById("ig-sok-status");
  var base = list.getAttribute("data-ig-bas");
  var terms = JSON.parse(document.getElementById("ig-sokord").textContent);
  var alternatives = Object.create(null);
  terms.forEach(function (entry) { alternatives[entry.ord.toLowerCase()] = entry.sok_aven; });

  /* The query as written plus variants with one word replaced by an alternative (at most 12). */
  function variants(query) {
    var words = query.trim().split(/\s+/).filter(Boolean);
    var found = [words.join(" ")];
    words.forEach(function (word, index) {
      var lower = word.toLowerCase();
      var others = own(alternatives, lower) ? alternatives[lower].slice() : [];
      // Swedish compounds and inflections: "beroendevården" starts with "beroende".
      Object.keys(alternatives).forEach(function (key) {
        if (key.length >= 6 && key !== lower && lower.indexOf(key) === 0) {
          others.push(key);
          others = others.concat(alternatives[key]);
        }
      });
      others.forEach(function (other) {
        var copy = words.slice();
        copy[index] = other;
        found.push(copy.join(" "));
      });
    });
    return found.filter(function (v, i) { return v && found.indexOf(v) === i; }).slice(0, 12);
  }

  function show(results, query) {
    list.textContent = "";
    results.forEach(function (result) {
      var item = document.createElement("li");
      item.className = "md-search-result__item";
      var link = document.createElement("a");
      link.className = "md-search-result__link";
      link.href = result.url;
      var article = document.createElement("article");
      article.className = "md-search-result__article md-typeset";
      var title = document.createElement("h2");
      title.textContent = result.meta.title || result.url;
      var excerpt = document.createElement("p");
      excerpt.innerHTML = result.excerpt; // Pagefind escapes the page text and adds only <mark>
      article.appendChild(title);
      article.appendChild(excerpt);
      link.appendChild(article);
      item.appendChild(link);
      list.appendChild(item);
    });
    status.textContent = results.length ? results.length + " träffar för " + query + "." :
      "Inga träffar för " + query + ". Pröva ett annat ord eller vägvisaren.";
  }

  // Start loading the index code at once, so the first query does not wait for it.
  var loading = null;
  function pagefindReady() {
    if (!loading) {
      loading = import(base + "pagefind/pagefind.js").then(function (pagefind) {
        return pagefind.options({baseUrl: new URL(base, location.href).pathname}).then(function () {
          return pagefind.init().then(function () { return pagefind; });
        });
      });
    }
    return loading;
  }

  async function run(query) {
    if (location.protocol === "file:") { document.getElementById("ig-sok-fran-disk").hidden = false; return; }
    if (!query.trim()) { status.textContent = ""; list.textContent = ""; return; }
    status.textContent = "Söker …";
    var pagefind = await pagefindReady();
    var searches = await Promise.all(variants(query).map(function (variant, index) {
      return pagefind.search(variant).then(function (answer) {
        return answer.results.map(function (r) { return {result: r, score: r.score * (index === 0 ? 1 : 0.9)}; });
      });
    }));
    var best = Object.create(null);
    searches.forEach(function (hits) {
      hits.forEach(function (hit) {
        var id = hit.result.id;
        if (!own(best, id) || best[id].score < hit.score) { best[id] = hit; }
      });
    });
    var ranked = Object.keys(best).map(function (id) { return best[id]; })
      .sort(function (a, b) { return b.score - a.score; }).slice(0, 10);
    show(await Promise.all(ranked.map(function (hit) { return hit.result.data(); })), query);
  }

  /* A failed search must not leave "Söker …" standing: say so, and still report the error. */
  function search(query) {
    return run(query).catch(function (error) {
      list.textContent = "";
      status.textContent = "Sökningen misslyckades. Ladda om sidan och försök igen, eller använd vägvisaren.";
      throw error;
    });
  }

  var query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  if (location.protocol !== "file:") { pagefindReady(); }
  search(query);
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    search(input.value);
  });
}());
