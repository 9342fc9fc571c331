/* Leaderboard: sort by any column and filter by status, grade, owner, tags (any or all) and lifecycle
 * (new, moved up or down, review due, gated), without reloading; movement arrows since a chosen day.
 * The heatmap and the map follow the leaderboard's filters.
 *
 * Progressive enhancement: the HTML table is complete and in score order without JavaScript.
 * The view lives in the query string (?status=pilot&tag=support&tag=wiki&match=all&since=2026-09-01&sort=owner&order=asc), so a
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
  var FILTERS = ["status", "grade", "owner"];
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

  // Filters that hold one value each (a select), and those the form holds otherwise.
  var unknownNote = form.querySelector(".filter-unknown");
  var summary = document.querySelector("[data-movement-summary]");
  var tagBoxes = Array.prototype.slice.call(form.querySelectorAll("input[name=tag]"));
  var heatRows = Array.prototype.slice.call(document.querySelectorAll(".heatmap tbody tr[data-slug]"));
  var mapPoints = Array.prototype.slice.call(document.querySelectorAll(".portfolio-map a[data-slug], .map-table tr[data-slug]"));
  var sinceSelect = form.elements.since;
  var builtMoves = rows.map(function (row) {
    var mark = row.querySelector("[data-move]");
    var gate = row.querySelector("[data-gate-fired]");
    return mark ? { className: mark.className, html: mark.innerHTML, label: mark.getAttribute("aria-label"),
                    gateFired: gate !== null && !gate.hidden } : null;
  });
  var defaultSummary = summary ? summary.textContent : "";

  function offered(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }

  function isDate(text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
      return false;
    }
    var day = new Date(text + "T00:00:00Z");
    return !isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
  }

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    var read = {};
    var unknown = [];
    FILTERS.concat(["show"]).forEach(function (name) {
      var select = form.elements[name];
      var value = params.get(name) || "";
      // A value the select does not offer (an old link) is named on the page, and left out.
      if (value && !offered(select, value)) {
        unknown.push(name + " \u201c" + value + "\u201d");
        value = "";
      }
      read[name] = value;
    });
    read.tag = [];
    params.getAll("tag").forEach(function (value) {
      if (tagBoxes.some(function (box) { return box.value === value; })) {
        read.tag.push(value);
      } else {
        unknown.push("tag \u201c" + value + "\u201d");
      }
    });
    read.match = params.get("match") || "any";
    if (read.match !== "any" && read.match !== "all") {
      unknown.push("match \u201c" + read.match + "\u201d");
      read.match = "any";
    }
    read.since = params.get("since") || "";
    if (read.since && (!sinceSelect || !isDate(read.since))) {
      unknown.push("since \u201c" + read.since + "\u201d");
      read.since = "";
    }
    if (read.since && !offered(sinceSelect, read.since)) {
      var option = document.createElement("option");
      option.value = read.since;
      option.textContent = "Since " + read.since;
      sinceSelect.appendChild(option);
    }
    var sort = params.get("sort") || DEFAULT_SORT;
    if (column(sort) < 0) {
      sort = DEFAULT_SORT;
    }
    read.sort = sort;
    var order = params.get("order");
    read.order = order === "asc" || order === "desc" ? order : naturalOrder(column(sort));
    unknownNote.textContent = unknown.length ? "Nothing on this page matches " + unknown.join(", ") +
      " in the address, so " + (unknown.length > 1 ? "those filters are" : "that filter is") + " left out." : "";
    return read;
  }

  function query(of) {
    var params = new URLSearchParams();
    FILTERS.concat(["show"]).forEach(function (name) {
      if (of[name]) {
        params.set(name, of[name]);
      }
    });
    of.tag.forEach(function (value) { params.append("tag", value); });
    if (of.match !== "any") {
      params.set("match", of.match);
    }
    if (of.since) {
      params.set("since", of.since);
    }
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

  function tenths(text) {
    return Math.round(parseFloat(text) * 10);
  }

  function decimal(value) {
    var sign = value < 0 ? "-" : "";
    value = Math.abs(value);
    return sign + Math.floor(value / 10) + "." + (value % 10);
  }

  // How a row's overall score moved since a day: from the last scored revision on or before it.
  function moveSince(row, since) {
    var history = row.getAttribute("data-history");
    if (!history) {
      return null;
    }
    var now = tenths(row.cells[column("score")].querySelector(".score").textContent);
    var base = null;
    var baseGated = false;
    history.split(" ").forEach(function (point) {
      var parts = point.split(":");
      if (parts[0] <= since) {
        base = tenths(parts[1]);
        baseGated = parts[2] === "g";
      }
    });
    if (base === null) {
      return { direction: "new", text: "New", label: "New since " + since, gateFired: false };
    }
    var delta = now - base;
    var direction = delta > 0 ? "up" : (delta < 0 ? "down" : "same");
    var word = { up: "Up ", down: "Down ", same: "Unchanged" }[direction];
    return {
      gateFired: row.hasAttribute("data-gated") && !baseGated,
      direction: direction,
      text: { up: "\u25b2", down: "\u25bc", same: "\u25b6" }[direction] + "\u00a0" + (delta > 0 ? "+" : "") + decimal(delta),
      label: word + (delta ? decimal(Math.abs(delta)) : "") + " since " + since + " (" + decimal(base) + " \u2192 " + decimal(now) + ")"
    };
  }

  function showMoves(since) {
    var counts = { up: 0, down: 0, "new": 0 };
    rows.forEach(function (row, i) {
      var mark = row.querySelector("[data-move]");
      var gate = row.querySelector("[data-gate-fired]");
      var built = builtMoves[i];
      if (!mark || !built) {
        row.removeAttribute("data-moved");
        return;
      }
      if (!since) {
        mark.className = built.className;
        mark.innerHTML = built.html;
        gate.hidden = !built.gateFired;
        setLabel(mark, built.label);
        var found = /move-(up|down|same)/.exec(built.className);
        row.setAttribute("data-moved", found ? found[1] : "");
        return;
      }
      var move = moveSince(row, since);
      gate.hidden = !move.gateFired;
      mark.className = "move move-" + move.direction;
      mark.textContent = move.text;
      setLabel(mark, move.label);
      row.setAttribute("data-moved", move.direction);
      if (counts[move.direction] !== undefined) {
        counts[move.direction] += 1;
      }
    });
    if (summary) {
      summary.textContent = since ? "Since " + since + ": " + counts.up + " up, " + counts.down + " down, " +
        counts["new"] + " new." : defaultSummary;
    }
  }

  function setLabel(mark, label) {
    if (label) {
      mark.setAttribute("role", "img");
      mark.setAttribute("aria-label", label);
      mark.setAttribute("title", label);
    } else {
      mark.removeAttribute("role");
      mark.removeAttribute("aria-label");
      mark.removeAttribute("title");
    }
  }

  var LIFECYCLE = {
    "new": function (row) { return row.getAttribute("data-moved") === "new"; },
    up: function (row) { return row.getAttribute("data-moved") === "up"; },
    down: function (row) { return row.getAttribute("data-moved") === "down"; },
    due: function (row) { return row.hasAttribute("data-due"); },
    gated: function (row) { return row.hasAttribute("data-gated"); }
  };

  function matches(row, of) {
    var single = FILTERS.every(function (name) {
      if (!of[name]) {
        return true;
      }
      var values = (row.getAttribute("data-" + name) || "").split(" ");
      return values.indexOf(of[name]) >= 0;
    });
    var tags = (row.getAttribute("data-tag") || "").split(" ");
    var has = function (tag) { return tags.indexOf(tag) >= 0; };
    var tagged = !of.tag.length || (of.match === "all" ? of.tag.every(has) : of.tag.some(has));
    var shown = !of.show || LIFECYCLE[of.show](row);
    return single && tagged && shown;
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
    showMoves(state.since);
    var shown = 0;
    var hiddenSlugs = {};
    rows.forEach(function (row) {
      row.hidden = !matches(row, state);
      shown += row.hidden ? 0 : 1;
      if (row.hidden) {
        hiddenSlugs[row.getAttribute("data-slug")] = true;
      }
    });
    // The heatmap and the map show what the leaderboard shows.
    heatRows.concat(mapPoints).forEach(function (el) {
      el.classList.toggle("is-filtered", hiddenSlugs[el.getAttribute("data-slug")] === true);
    });
    FILTERS.concat(["show"]).forEach(function (name) { form.elements[name].value = state[name]; });
    if (sinceSelect) {
      sinceSelect.value = state.since;
    }
    tagBoxes.forEach(function (box) { box.checked = state.tag.indexOf(box.value) >= 0; });
    Array.prototype.forEach.call(form.querySelectorAll("input[name=match]"), function (radio) {
      radio.checked = radio.value === state.match;
    });

    var filters = FILTERS.concat(["show"]).filter(function (name) { return state[name]; }).map(function (name) {
      var select = form.elements[name];
      return name + " " + select.options[select.selectedIndex].text.replace(/ \(\d+\)$/, "");
    });
    if (state.tag.length) {
      filters.push((state.tag.length > 1 ? "tags " : "tag ") + state.tag.join(state.match === "all" ? " and " : " or "));
    }
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
    FILTERS.concat(["show"]).forEach(function (name) { next[name] = form.elements[name].value; });
    next.since = sinceSelect ? sinceSelect.value : "";
    next.tag = tagBoxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
    var all = form.querySelector("input[name=match][value=all]");
    next.match = all && all.checked ? "all" : "any";
    change(next);
  });
  form.addEventListener("reset", function (event) {
    event.preventDefault();
    var next = copy(state);
    FILTERS.concat(["show"]).forEach(function (name) { next[name] = ""; });
    next.tag = [];
    next.match = "any";
    next.since = "";
    change(next);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  window.addEventListener("popstate", function () { apply(readUrl()); });

  form.hidden = false;
  apply(readUrl());
})();
