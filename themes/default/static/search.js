/* Site search: results as you type, from the index in search-index.js, ranked by MiniSearch.
 *
 * Works offline and from file://: the index is a script that sets window.SCORECARD_SEARCH (a
 * page opened from disk cannot fetch() a file), added to the page with MiniSearch the first time
 * the search box gets focus, so pages that are only read do not load them. The form is `hidden`
 * in the HTML and shown here, so without JavaScript there is no dead search box. Keyboard: type,
 * Enter opens the first result, ArrowDown/ArrowUp move through the results, Escape clears.
 */
(function () {
  "use strict";
  var form = document.querySelector("[data-search]");
  if (!form) {
    return;
  }
  var root = form.getAttribute("data-root") || "";
  var input = form.querySelector("input[type=search]");
  var status = form.querySelector("[role=status]");
  var list = form.querySelector("ul");
  var MAX_RESULTS = 8;
  var index = null;
  var loading = false;
  var openWhenReady = false;

  function loadScript(src, done) {
    var script = document.createElement("script");
    script.src = src;
    script.onload = done;
    script.onerror = function () {
      status.textContent = "Search is not available: " + src + " could not be loaded.";
    };
    document.head.appendChild(script);
  }

  function load() {
    if (loading) {
      return;
    }
    loading = true;
    loadScript(root + "static/vendor/minisearch.js", function () {
      loadScript(root + "search-index.js", function () {
        index = new window.MiniSearch({
          fields: ["title", "summary", "tags", "owner", "authors", "evidence", "body"],
          storeFields: ["title", "url", "summary"],
          searchOptions: {
            boost: { title: 3, tags: 2, summary: 1.5, owner: 1.5, authors: 1.5 },
            prefix: true,
            // Typos are forgiven in longer words only: a short word is too easily another word.
            fuzzy: function (term) { return term.length > 4 ? 0.2 : false; },
            combineWith: "AND"
          }
        });
        index.addAll(window.SCORECARD_SEARCH.documents);
        show(input.value);
        if (openWhenReady) {
          openFirst();
        }
      });
    });
  }

  var FIELD_NAMES = { title: "the title", summary: "the summary", tags: "the tags", owner: "the owner",
                      authors: "the authors", evidence: "the evidence", body: "the text" };

  // Which fields the words matched, when the title alone does not explain the result.
  function foundIn(result) {
    var fields = [];
    Object.keys(result.match).forEach(function (term) {
      result.match[term].forEach(function (field) {
        if (fields.indexOf(field) < 0) {
          fields.push(field);
        }
      });
    });
    if (fields.indexOf("title") >= 0) {
      return "";
    }
    return Object.keys(FIELD_NAMES).filter(function (f) { return fields.indexOf(f) >= 0; })
      .map(function (f) { return FIELD_NAMES[f]; }).join(", ");
  }

  function links() {
    return Array.prototype.slice.call(list.querySelectorAll("a"));
  }

  function clear() {
    input.value = "";
    show("");
  }

  function show(query) {
    query = query.trim();
    if (!index) {
      status.textContent = query ? "Loading the search index…" : "";
      return;
    }
    list.textContent = "";
    if (!query) {
      list.hidden = true;
      status.textContent = "";
      return;
    }
    var results = index.search(query);
    results.slice(0, MAX_RESULTS).forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + result.url;
      var title = document.createElement("span");
      title.className = "search-title";
      title.textContent = result.title;
      link.appendChild(title);
      if (result.summary) {
        var summary = document.createElement("span");
        summary.className = "search-summary";
        summary.textContent = result.summary;
        link.appendChild(summary);
      }
      var where = foundIn(result);
      if (where) {
        var note = document.createElement("span");
        note.className = "search-where";
        note.textContent = "Found in " + where;
        link.appendChild(note);
      }
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = results.length === 0;
    if (results.length === 0) {
      status.textContent = "No assessment matches “" + query + "”.";
    } else {
      var count = results.length === 1 ? "1 assessment" : results.length + " assessments";
      var shown = results.length > MAX_RESULTS ? " (first " + MAX_RESULTS + " shown)" : "";
      status.textContent = count + " found" + shown + ". Enter opens the first; the arrow keys move through them.";
    }
  }

  function openFirst() {
    var first = links()[0];
    if (first) {
      window.location.href = first.href;
    }
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", function () {
    load();
    show(input.value);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (index) {
      openFirst();
    } else {
      openWhenReady = true;  // Enter pressed before the index arrived: open the first result then
    }
  });

  form.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "Escape") {
      if (input.value || at >= 0) {
        event.preventDefault();
        clear();
        input.focus();
      }
    } else if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      all[Math.min(at + 1, all.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      (at === 0 ? input : all[at - 1]).focus();
    }
  });

  // The results close when focus leaves the search, and come back when it returns.
  form.addEventListener("focusout", function (event) {
    if (!form.contains(event.relatedTarget)) {
      form.classList.add("is-closed");
    }
  });
  form.addEventListener("focusin", function () { form.classList.remove("is-closed"); });

  form.hidden = false;
  // A page restored with text in the box (back/forward cache, form restoration): its results, closed.
  if (input.value) {
    load();
    form.classList.add("is-closed");
  }
})();
