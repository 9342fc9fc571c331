/* Compare: up to four assessments side by side, drawn from compare-data.js (scorecard.json as a script).
 *
 * The choice lives in the address (?a=SLUG&b=SLUG&c=SLUG&d=SLUG); the page works from disk and
 * under any sub-path, since every link is relative and the data is a script, not a fetched file.
 * What it draws: the radars overlaid in one chart, one table of every answer and score with its
 * evidence, and the overall scores over time.
 */
(function () {
  "use strict";
  var result = document.querySelector("[data-compare]");
  var form = document.querySelector(".compare-picker");
  var data = window.SCORECARD_DATA;
  if (!result || !form || !data) {
    return;
  }
  var trends = window.SCORECARD_TRENDS || {};
  var root = result.getAttribute("data-root");
  var unknownNote = document.querySelector(".compare-unknown");
  var SLOTS = ["a", "b", "c", "d"];
  var SVG = "http://www.w3.org/2000/svg";
  var DASHES = ["", "7 4", "2 3", "9 3 2 3"];
  var bySlug = {};
  data.assessments.forEach(function (a) { bySlug[a.slug] = a; });
  var empty = result.innerHTML;

  function el(name, attrs, text) {
    var node = document.createElement(name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function svg(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function num(x) {
    return String(Math.round(x * 100) / 100);
  }

  function one(x) {
    return x === null || x === undefined ? "n/a" : (Math.round(x * 10) / 10).toFixed(1);
  }

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    var chosen = [];
    var unknown = [];
    SLOTS.forEach(function (slot) {
      var slug = params.get(slot);
      if (!slug) {
        form.elements[slot].value = "";
        return;
      }
      if (bySlug[slug]) {
        chosen.push(bySlug[slug]);
        form.elements[slot].value = slug;
      } else {
        unknown.push(slot + " \u201c" + slug + "\u201d");
        form.elements[slot].value = "";
      }
    });
    unknownNote.textContent = unknown.length ? "No assessment is called " + unknown.join(", ") +
      " in the address; it is left out." : "";
    return chosen;
  }

  function legend(chosen) {
    var list = el("ul", { "class": "compare-legend" });
    chosen.forEach(function (a, i) {
      var item = el("li", { "class": "cmp-" + i });
      var sample = svg("svg", { width: "28", height: "10", "aria-hidden": "true" });
      sample.appendChild(svg("line", { x1: "1", y1: "5", x2: "27", y2: "5", "class": "cmp-line", "stroke-dasharray": DASHES[i] }));
      item.appendChild(sample);
      item.appendChild(document.createTextNode(" " + a.title));
      list.appendChild(item);
    });
    return list;
  }

  function radarSection() {
    for (var i = 0; i < data.rubric.sections.length; i++) {
      var section = data.rubric.sections[i];
      if (!section.scale.choices && section.items.length >= 3) {
        return section;
      }
    }
    return null;
  }

  function radar(chosen, section) {
    var size = 340, width = 500, cx = width / 2, cy = size / 2, radius = size / 2 - 40;
    var count = section.items.length;
    var title = section.title + " scores of " + chosen.map(function (a) { return a.title; }).join(", ");
    var desc = chosen.map(function (a) {
      return a.title + ": " + section.items.map(function (item) {
        var value = a.sections[section.id].items[item.id].value;
        return item.title + " " + (value === null ? "unknown" : value);
      }).join(", ");
    }).join("; ");
    var chart = svg("svg", { "class": "radar compare-radar", viewBox: "0 0 " + width + " " + size, width: String(width),
                             height: String(size), role: "img", "aria-labelledby": "cmp-radar-title cmp-radar-desc" });
    chart.appendChild(svg("title", { id: "cmp-radar-title" }, title));
    chart.appendChild(svg("desc", { id: "cmp-radar-desc" }, desc));
    function point(index, fraction) {
      var angle = -Math.PI / 2 + 2 * Math.PI * index / count;
      return [cx + radius * fraction * Math.cos(angle), cy + radius * fraction * Math.sin(angle)];
    }
    [0.2, 0.4, 0.6, 0.8, 1].forEach(function (ring) {
      var pts = section.items.map(function (_, i) { return point(i, ring).map(num).join(","); }).join(" ");
      chart.appendChild(svg("polygon", { "class": "radar-ring", points: pts }));
    });
    section.items.forEach(function (item, i) {
      var end = point(i, 1), label = point(i, 1.15);
      chart.appendChild(svg("line", { "class": "radar-axis", x1: num(cx), y1: num(cy), x2: num(end[0]), y2: num(end[1]) }));
      var anchor = Math.abs(label[0] - cx) < 1 ? "middle" : (label[0] > cx ? "start" : "end");
      chart.appendChild(svg("text", { "class": "radar-label", x: num(label[0]), y: num(label[1]), "text-anchor": anchor,
                                      "dominant-baseline": "middle" }, item.title));
    });
    chosen.forEach(function (a, n) {
      var pts = section.items.map(function (item, i) {
        var points = a.sections[section.id].items[item.id].points;
        return point(i, points === null ? 0 : points).map(num).join(",");
      }).join(" ");
      chart.appendChild(svg("polygon", { "class": "cmp-shape cmp-" + n, points: pts, "stroke-dasharray": DASHES[n] }));
    });
    var figure = el("figure", { "class": "chart" });
    figure.appendChild(chart);
    figure.appendChild(legend(chosen));
    figure.appendChild(el("figcaption", {}, section.title + " scores, " + section.scale.min + " at the centre to " +
      section.scale.max + " at the edge, one outline per assessment; the table below gives the same numbers."));
    return figure;
  }

  function table(chosen) {
    var wrap = el("div", { "class": "table-wrap" });
    var t = el("table", { "class": "compare-table" });
    t.appendChild(el("caption", {}, "Every answer and score, with its evidence"));
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, "Question or criterion"));
    chosen.forEach(function (a) {
      var th = el("th", { scope: "col" });
      th.appendChild(el("a", { href: root + a.url }, a.title));
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    t.appendChild(thead);
    var body = el("tbody");
    function row(label, cells, css) {
      var tr = el("tr", css ? { "class": css } : {});
      tr.appendChild(el("th", { scope: "row" }, label));
      cells.forEach(function (cell) {
        var td = el("td");
        if (typeof cell === "string") {
          td.textContent = cell;
        } else {
          td.appendChild(cell);
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
    row("Overall", chosen.map(function (a) { return one(a.overall) + " / 100"; }), "compare-overall");
    row("Grade", chosen.map(function (a) { return a.grade; }));
    row("Verdict", chosen.map(function (a) {
      return a.gated ? el("strong", { "class": "gated" }, a.verdict) : a.verdict;
    }));
    data.rubric.sections.forEach(function (section) {
      var tr = el("tr", { "class": "compare-section" });
      tr.appendChild(el("th", { scope: "rowgroup", colspan: String(chosen.length + 1) }, section.title));
      body.appendChild(tr);
      row(section.title + " score", chosen.map(function (a) { return one(a.sections[section.id].score); }));
      section.items.forEach(function (item) {
        row(item.title, chosen.map(function (a) {
          var answer = a.sections[section.id].items[item.id];
          var cell = document.createDocumentFragment();
          cell.appendChild(el("span", { "class": "value" }, answer.value === null ? "unknown" : String(answer.value)));
          var note = answer.evidence || answer.reason;
          if (note) {
            cell.appendChild(el("span", { "class": "compare-evidence" }, note));
          }
          return cell;
        }));
      });
    });
    t.appendChild(body);
    wrap.appendChild(t);
    return wrap;
  }

  function trendChart(chosen) {
    var series = chosen.map(function (a) { return trends[a.slug] || []; });
    var days = [];
    series.forEach(function (points) { points.forEach(function (p) { days.push(Date.parse(p[0])); }); });
    if (!days.length) {
      return el("p", {}, "No score history: the site was built outside git.");
    }
    var first = Math.min.apply(null, days), last = Math.max.apply(null, days);
    var width = 640, height = 260, left = 44, right = 16, top = 12, bottom = 36;
    function x(day) {
      return last === first ? left + (width - left - right) / 2 : left + (width - left - right) * (Date.parse(day) - first) / (last - first);
    }
    function y(score) {
      return top + (height - top - bottom) * (1 - score / 100);
    }
    var chart = svg("svg", { "class": "trend compare-trend", viewBox: "0 0 " + width + " " + height, width: String(width),
                             height: String(height), role: "img", "aria-labelledby": "cmp-trend-title cmp-trend-desc" });
    chart.appendChild(svg("title", { id: "cmp-trend-title" }, "Overall scores over time of " +
      chosen.map(function (a) { return a.title; }).join(", ")));
    chart.appendChild(svg("desc", { id: "cmp-trend-desc" }, chosen.map(function (a, i) {
      return a.title + ": " + series[i].map(function (p) { return p[0] + " " + one(p[1]); }).join(", ");
    }).join("; ")));
    [0, 25, 50, 75, 100].forEach(function (level) {
      chart.appendChild(svg("line", { "class": "trend-grid", x1: String(left), x2: String(width - right), y1: num(y(level)), y2: num(y(level)) }));
      chart.appendChild(svg("text", { "class": "map-tick", x: String(left - 6), y: num(y(level) + 4), "text-anchor": "end" }, String(level)));
    });
    chart.appendChild(svg("text", { "class": "map-tick", x: String(left), y: String(height - 10) }, new Date(first).toISOString().slice(0, 10)));
    chart.appendChild(svg("text", { "class": "map-tick", x: String(width - right), y: String(height - 10), "text-anchor": "end" },
                          new Date(last).toISOString().slice(0, 10)));
    series.forEach(function (points, n) {
      if (points.length > 1) {
        chart.appendChild(svg("polyline", { "class": "cmp-trend cmp-" + n, "stroke-dasharray": DASHES[n],
          points: points.map(function (p) { return num(x(p[0])) + "," + num(y(p[1])); }).join(" ") }));
      }
      points.forEach(function (p) {
        var dot = svg("circle", { "class": "cmp-dot cmp-" + n, cx: num(x(p[0])), cy: num(y(p[1])), r: "4" });
        dot.appendChild(svg("title", {}, chosen[n].title + ", " + p[0] + ": " + one(p[1])));
        chart.appendChild(dot);
      });
    });
    var figure = el("figure", { "class": "chart" });
    figure.appendChild(chart);
    figure.appendChild(legend(chosen));
    figure.appendChild(el("figcaption", {}, "Overall score after each commit that changed it, 0 at the bottom to 100 at the top; " +
      "the scores are in the description read by screen readers and on each point's tooltip."));
    return figure;
  }

  function render() {
    var chosen = readUrl();
    if (chosen.length < 2) {
      result.innerHTML = empty;
      return;
    }
    result.textContent = "";
    var heading = el("h2", { id: "compare-heading" }, chosen.map(function (a) { return a.title; }).join(" · "));
    result.appendChild(heading);
    var section = radarSection();
    if (section) {
      result.appendChild(radar(chosen, section));
    }
    result.appendChild(table(chosen));
    result.appendChild(el("h2", { id: "compare-trends" }, "Over time"));
    result.appendChild(trendChart(chosen));
  }

  form.addEventListener("change", function () {
    var params = new URLSearchParams();
    SLOTS.forEach(function (slot) {
      if (form.elements[slot].value) {
        params.set(slot, form.elements[slot].value);
      }
    });
    var url = window.location.pathname + (params.toString() ? "?" + params.toString() : "");
    try {
      window.history.pushState(null, "", url);
      render();
    } catch (e) {
      form.submit();  // some browsers refuse history entries for file:// pages: load the address instead
    }
  });
  window.addEventListener("popstate", render);
  render();
})();
