/* Leaderboard: sort by any column and filter by status, grade, tag and owner, without reloading.
 *
 * Progressive enhancement: the HTML table is complete and in score order without JavaScript.
 * The view lives in the query string (?status=pilot&tag=support&sort=owner&order=asc), so a
 * filtered view can be shared and is restored on load; each change is a history entry, so
 * back and forward step through them.
 */
(function () {
  "use strict";
  var table = document.querySelector("#leaderboard table");
  var form = document.querySelector("[data-filters-for=leaderboard]");
  if (!table || !form || !table.tBodies.length) {
    return;
  }
  var FILTERS = ["status", "grade", "tag", "owner"];
  var DEFAULT_SORT = "score";
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var caption = table.caption;
  var status = form.querySelector("[role=status]");
  var state = null;

  rows.forEach(function (row, position) { row.setAttribute("data-position", String(position)); });

  function column(key) {
    for (var i = 0; i < headers.length; i++) {
      if (headers[i].getAttribute("data-key") === key) {
        return i;
      }
    }
    return -1;
  }

  function isNumber(index) {
    return headers[index].getAttribute("data-type") === "number";
  }

  function label(index) {
    return headers[index].getAttribute("data-label");
  }

  // Each header's text becomes a button; aria-sort on the header says how the table is sorted.
  headers.forEach(function (th) {
    if (!th.getAttribute("data-key")) {
      return;
    }
    th.setAttribute("data-label", th.textContent.trim());
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) {
      button.appendChild(th.firstChild);
    }
    var arrow = document.createElement("span");
    arrow.className = "sort-arrow";
    arrow.setAttribute("aria-hidden", "true");
    button.appendChild(arrow);
    th.appendChild(button);
    button.addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      var next = copy(state);
      if (state.sort === key) {
        next.order = state.order === "asc" ? "desc" : "asc";
      } else {
        next.sort = key;
        next.order = naturalOrder(column(key));
      }
      change(next);
    });
  });

  function naturalOrder(index) {
    return isNumber(index) ? "desc" : "asc";
  }

  function copy(from) {
    var to = {};
    for (var key in from) {
      to[key] = from[key];
    }
    return to;
  }

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    var read = {};
    FILTERS.forEach(function (name) {
      var select = form.elements[name];
      var value = params.get(name) || "";
      // A value the select does not offer (an old link) is ignored rather than hiding every row.
      var offered = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
      read[name] = offered ? value : "";
    });
    var sort = params.get("sort") || DEFAULT_SORT;
    if (column(sort) < 0) {
      sort = DEFAULT_SORT;
    }
    read.sort = sort;
    var order = params.get("order");
    read.order = order === "asc" || order === "desc" ? order : naturalOrder(column(sort));
    return read;
  }

  function query(of) {
    var params = new URLSearchParams();
    FILTERS.forEach(function (name) {
      if (of[name]) {
        params.set(name, of[name]);
      }
    });
    if (of.sort !== DEFAULT_SORT || of.order !== naturalOrder(column(DEFAULT_SORT))) {
      params.set("sort", of.sort);
      params.set("order", of.order);
    }
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function change(next) {
    apply(next);
    var url = window.location.pathname + query(next) + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      try {
        window.history.pushState(null, "", url);
      } catch (e) {
        // Some browsers refuse history entries for file:// pages; the view still changes.
      }
    }
  }

  function value(row, index) {
    var cell = row.cells[index];
    var text = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (isNumber(index)) {
      var number = parseFloat(text);
      return isNaN(number) ? null : number;
    }
    return text === "—" ? null : text;
  }

  function compare(index, order) {
    var sign = order === "asc" ? 1 : -1;
    return function (a, b) {
      var x = value(a, index);
      var y = value(b, index);
      var result;
      if (x === null || y === null) {
        result = x === y ? 0 : (x === null ? 1 : -1);  // blanks ("n/a", "—") last either way
      } else if (typeof x === "number") {
        result = sign * (x - y);
      } else {
        result = sign * x.localeCompare(y, undefined, { sensitivity: "base", numeric: true });
      }
      return result || Number(a.getAttribute("data-position")) - Number(b.getAttribute("data-position"));
    };
  }

  function matches(row, of) {
    return FILTERS.every(function (name) {
      if (!of[name]) {
        return true;
      }
      var values = (row.getAttribute("data-" + name) || "").split(" ");
      return values.indexOf(of[name]) >= 0;
    });
  }

  function apply(next) {
    state = next;
    var index = column(state.sort);
    rows.slice().sort(compare(index, state.order)).forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (th, i) {
      if (i === index) {
        th.setAttribute("aria-sort", state.order === "asc" ? "ascending" : "descending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
    var shown = 0;
    rows.forEach(function (row) {
      row.hidden = !matches(row, state);
      shown += row.hidden ? 0 : 1;
    });
    FILTERS.forEach(function (name) { form.elements[name].value = state[name]; });

    var filters = FILTERS.filter(function (name) { return state[name]; }).map(function (name) {
      var select = form.elements[name];
      return name + " " + select.options[select.selectedIndex].text.replace(/ \(\d+\)$/, "");
    });
    var direction = isNumber(index) ? (state.order === "asc" ? "lowest first" : "highest first")
                                     : (state.order === "asc" ? "A to Z" : "Z to A");
    var count = filters.length ? shown + " of " + rows.length + " assessments" : "All " + rows.length + " assessments";
    caption.textContent = count + (filters.length ? " (" + filters.join(", ") + ")" : "") +
      ", sorted by " + label(index) + ", " + direction;
    status.textContent = shown === 0 ? "No assessment matches these filters." :
      (filters.length ? shown + " of " + rows.length + " assessments shown." : "");
  }

  form.addEventListener("change", function () {
    var next = copy(state);
    FILTERS.forEach(function (name) { next[name] = form.elements[name].value; });
    change(next);
  });
  form.addEventListener("reset", function (event) {
    event.preventDefault();
    var next = copy(state);
    FILTERS.forEach(function (name) { next[name] = ""; });
    change(next);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  window.addEventListener("popstate", function () { apply(readUrl()); });

  form.hidden = false;
  apply(readUrl());
})();
