/* aiboom charts: draws every <figure class="aiboom-chart"> of the page with the site's own Vega
 * bundle (_static/vega-bundle.js), at its column's width and in the page's light or dark theme,
 * and gives it a figure number, a permalink and the actions Data (CSV), SVG, PNG and Cite.
 *
 * Each figure holds its Vega-Lite spec as inert JSON (<script type="application/json"
 * class="aiboom-chart-spec">), written by aiboom.charts.render_html; build facts for citations
 * come from window.AIBOOM_BUILD (_static/aiboom-build.js, written when the site is staged).
 * Nothing is loaded from another host.
 */
(function () {
  "use strict";

  var NARROW_PX = 560;
  var AXIS_PX = 64; // room for a y axis (labels and title) in a concatenated panel
  // Neutral inks of the light theme and their dark-theme counterparts.
  var DARK_INK = {
    "#333": "#d4d4d4", "#333333": "#d4d4d4", "#000": "#e6e6e6", "#000000": "#e6e6e6",
    "black": "#e6e6e6", "#222": "#e0e0e0", "#555": "#bdbdbd", "#555555": "#bdbdbd",
    "#777": "#a6a6a6", "#777777": "#a6a6a6", "#888": "#9a9a9a", "#888888": "#9a9a9a",
    "#bbb": "#5f5f5f", "#bbbbbb": "#5f5f5f", "#999999": "#8c8c8c", "#e6e6e6": "#3a3f44"
  };

  function isDark() {
    var root = document.documentElement;
    var theme = root.getAttribute("data-theme");
    if (theme === "dark" || theme === "light") return theme === "dark";
    var mode = root.getAttribute("data-mode");
    if (mode === "dark") return true;
    if (mode === "auto" && window.matchMedia) {
      return window.matchMedia("(prefers-color-scheme: dark)").matches;
    }
    return false;
  }

  function clone(x) { return JSON.parse(JSON.stringify(x)); }

  function merge(target, source) {
    Object.keys(source).forEach(function (k) {
      var v = source[k];
      if (v && typeof v === "object" && !Array.isArray(v)) {
        if (!target[k] || typeof target[k] !== "object") target[k] = {};
        merge(target[k], v);
      } else {
        target[k] = v;
      }
    });
    return target;
  }

  function eachView(spec, fn) {
    fn(spec);
    ["layer", "hconcat", "vconcat", "concat"].forEach(function (k) {
      if (Array.isArray(spec[k])) spec[k].forEach(function (c) { eachView(c, fn); });
    });
    if (spec.spec && typeof spec.spec === "object") eachView(spec.spec, fn);
  }

  function eachChannel(spec, fn) {
    eachView(spec, function (view) {
      var enc = view.encoding || {};
      Object.keys(enc).forEach(function (ch) {
        var defs = Array.isArray(enc[ch]) ? enc[ch] : [enc[ch]];
        defs.forEach(function (d) { if (d && typeof d === "object") fn(ch, d, view); });
      });
    });
  }

  // Swap the light theme's neutral inks for dark ones (rules, annotations, reference points).
  function darkInks(node, key) {
    if (Array.isArray(node)) {
      return node.map(function (v) { return darkInks(v, key === "range" ? "color" : key); });
    }
    if (node && typeof node === "object") {
      Object.keys(node).forEach(function (k) {
        if (k !== "datasets" && k !== "data" && k !== "usermeta") node[k] = darkInks(node[k], k);
      });
      return node;
    }
    if (typeof node === "string" && /^(color|fill|stroke|value)$/.test(key || "")) {
      var swap = DARK_INK[node.toLowerCase()];
      return swap || node;
    }
    return node;
  }

  function wrapTitle(title, maxChars) {
    if (typeof title !== "string" || title.length <= maxChars) return title;
    var lines = [], line = "";
    title.split(/\s+/).forEach(function (w) {
      if (line && (line + " " + w).length > maxChars) { lines.push(line); line = w; }
      else line = line ? line + " " + w : w;
    });
    if (line) lines.push(line);
    return lines;
  }

  // A legend label expression that breaks each long entity name into lines of `maxChars`.
  function wrapLabels(domain, maxChars) {
    var parts = [];
    domain.forEach(function (v) {
      var lines = wrapTitle(String(v), maxChars);
      if (Array.isArray(lines) && lines.length > 1) {
        parts.push("datum.label === " + JSON.stringify(String(v)) + " ? " + JSON.stringify(lines));
      }
    });
    return parts.length ? parts.join(" : ") + " : datum.label" : null;
  }

  function themeConfig(dark, width) {
    var fg = dark ? "#e3e3e3" : "#222222";
    var muted = dark ? "#9a9a9a" : "#888888";
    var narrow = width < NARROW_PX;
    var cfg = {
      background: null,
      axis: {
        labelColor: fg, titleColor: fg, gridColor: dark ? "#3a3f44" : "#e6e6e6",
        domainColor: muted, tickColor: muted, labelOverlap: true, labelSeparation: 4,
        labelLimit: narrow ? Math.max(70, Math.round(width * 0.34)) : 260
      },
      legend: {
        labelColor: fg, titleColor: fg, orient: "bottom", direction: "horizontal",
        columns: narrow ? 1 : (width < 900 ? 2 : 4),
        labelLimit: Math.max(120, width - 48),
        // Symbols of legends that do not encode colour (shape, opacity) take the ink.
        symbolFillColor: dark ? "#d4d4d4" : "#333333"
      },
      title: { color: fg, subtitleColor: muted },
      header: { labelColor: fg, titleColor: fg },
      text: { color: dark ? "#d4d4d4" : "#333333" },
      view: { stroke: null }
    };
    if (narrow) { cfg.axis.labelFontSize = 11; cfg.legend.labelFontSize = 11; }
    return cfg;
  }

  // The spec drawn at `width` CSS pixels in the light or dark theme.
  function fitted(original, width, dark, background, panelWidth) {
    var spec = clone(original);
    var narrow = width < NARROW_PX;
    var cfg = themeConfig(dark, width);
    if (background) cfg.background = background;
    spec.config = merge(spec.config || {}, cfg);
    delete spec.background;
    // Small multiples stack in one column on a phone, so that each panel keeps a usable width.
    if (narrow && spec.concat) spec.columns = 1;
    var panels = spec.hconcat || spec.concat || spec.vconcat;
    // Room for an x-axis title: the plot is narrower than the figure by its y axis.
    var xRoom = narrow ? width * 0.6 : width - 160;
    if (panels) {
      var across = spec.hconcat ? spec.hconcat.length
        : spec.concat ? Math.min(spec.columns || spec.concat.length, spec.concat.length) : 1;
      var per = panelWidth ||
        Math.max(90, Math.floor((width - across * AXIS_PX - 8) / across));
      spec.usermeta = merge(spec.usermeta || {}, { aiboomPanels: { n: across, width: per } });
      panels.forEach(function (p) {
        eachView(p, function (v) { if (v !== p) delete v.width; });
        p.width = per;
      });
      delete spec.width;
      xRoom = per;
    } else {
      eachView(spec, function (v) { if (v !== spec) delete v.width; });
      spec.width = width;
      spec.autosize = { type: "fit-x", contains: "padding" };
    }
    if (narrow && typeof spec.height === "number" && spec.height > 240) {
      spec.height = Math.max(220, Math.round(spec.height * 0.85));
    }
    if (!(spec.config.mark && spec.config.mark.color)) {
      spec.config.mark = merge(spec.config.mark || {}, { color: "#0072B2" });
    }
    var lineChars = Math.max(18, Math.floor((width - 96) / 6.6));
    eachChannel(spec, function (ch, d) {
      if (/^(color|fill|stroke|shape|opacity|size|strokeDash)$/.test(ch) && d.field &&
          d.legend !== null) {
        var domain = (d.scale && Array.isArray(d.scale.domain)) ? d.scale.domain : [];
        var expr = wrapLabels(domain, lineChars);
        if (expr) {
          if (typeof d.legend !== "object" || !d.legend) d.legend = {};
          if (!d.legend.labelExpr) d.legend.labelExpr = expr;
        }
      }
      if (d.legend && typeof d.legend === "object") {
        d.legend.labelLimit = Math.min(d.legend.labelLimit || 1e9, cfg.legend.labelLimit);
        if (d.legend.columns) d.legend.columns = Math.min(d.legend.columns, cfg.legend.columns);
        if (narrow && d.legend.orient && !/^(bottom|top|none)$/.test(d.legend.orient)) {
          d.legend.orient = "bottom";
        }
      }
      if (d.axis && typeof d.axis === "object" && d.axis.labelLimit) {
        d.axis.labelLimit = Math.min(d.axis.labelLimit, cfg.axis.labelLimit);
      }
      if ((ch === "x" || ch === "x2") && d.title) {
        d.title = wrapTitle(d.title, Math.max(12, Math.floor(xRoom / 7)));
      }
      if ((ch === "y" || ch === "y2") && d.title && typeof spec.height === "number") {
        d.title = wrapTitle(d.title, Math.max(20, Math.floor(spec.height / 6.2)));
      }
    });
    return dark ? darkInks(spec) : spec;
  }

  function columnWidth(fig) {
    var w = fig.clientWidth;
    return Math.max(240, Math.min(1400, Math.floor(w)));
  }

  function specOf(fig) {
    if (!fig._aiboomSpec) {
      var node = fig.querySelector("script.aiboom-chart-spec");
      fig._aiboomSpec = node ? JSON.parse(node.textContent) : null;
    }
    return fig._aiboomSpec;
  }

  function draw(fig) {
    var spec = specOf(fig);
    var el = fig.querySelector(".aiboom-chart-view");
    if (!spec || !el) return Promise.resolve();
    if (!window.vegaEmbed) { el.textContent = "Chart library failed to load."; return Promise.resolve(); }
    var width = columnWidth(fig);
    var dark = isDark();
    fig._aiboomDrawn = { width: width, dark: dark };
    var token = (fig._aiboomToken || 0) + 1;
    fig._aiboomToken = token;
    var panels = null;
    function embed(w, panelWidth) {
      var drawnSpec = fitted(spec, w, dark, null, panelWidth);
      panels = (drawnSpec.usermeta || {}).aiboomPanels || null;
      fig._aiboomPanelWidth = panelWidth || null;
      return window.vegaEmbed(el, drawnSpec, { renderer: "svg", actions: false })
        .then(function (result) {
          if (fig._aiboomView && fig._aiboomView !== result.view) fig._aiboomView.finalize();
          fig._aiboomView = result.view;
          return result;
        });
    }
    return embed(width).then(function () {
      // Concatenated panels are sized by estimate: shrink once if they came out too wide.
      var svg = el.querySelector("svg");
      var drawn = svg ? (parseFloat(svg.getAttribute("width")) || svg.getBoundingClientRect().width) : 0;
      if (token === fig._aiboomToken && drawn > width + 1 && panels) {
        var fixed = drawn - panels.n * panels.width;
        return embed(width, Math.max(40, Math.floor((width - fixed) / panels.n) - 2));
      }
    }).then(function () {
      // The drawn SVG carries the chart's description (its alt text) for assistive technology.
      var svg = el.querySelector("svg");
      var alt = (spec.usermeta && spec.usermeta.aiboom && spec.usermeta.aiboom.alt) ||
        spec.description;
      if (svg && alt) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", alt);
      }
      fig.classList.add("aiboom-chart-ready");
      fig.classList.toggle("aiboom-chart-dark", dark);
    }).catch(function (e) {
      console.error(e);
      el.textContent = "Chart failed to render.";
    });
  }

  // ---------------------------------------------------------------------------------------
  // Figure number, permalink and actions.

  function chapterNumber() {
    var h1 = document.querySelector("main h1, article h1, h1");
    var num = h1 && h1.querySelector(".section-number");
    var m = num && num.textContent.match(/\d+(\.\d+)*/);
    if (!m) {
      // Jupyter Book numbers chapters in the navigation only: read the current entry.
      var nav = document.querySelector(".bd-sidenav a.current, .bd-sidenav li.current > a");
      m = nav && nav.textContent.trim().match(/^(\d+(\.\d+)*)\.\s/);
      if (m) m = [m[1]];
    }
    return m ? m[0] : "";
  }

  function build() {
    var b = window.AIBOOM_BUILD || {};
    return {
      title: b.title || document.title.replace(/\s+[—-].*$/, ""),
      version: b.version || "unknown", commit: b.commit || "unknown",
      date: b.date || "unknown", scenario: b.scenario || "baseline",
      author: b.author || "aiboom contributors"
    };
  }

  function permalink(fig) {
    return location.href.split("#")[0] + "#" + fig.id;
  }

  function meta(fig) {
    var spec = specOf(fig) || {};
    return (spec.usermeta && spec.usermeta.aiboom) || {};
  }

  function saveFile(name, blob) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function csvCell(v) {
    if (v === null || v === undefined) return "";
    var s = typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n\r#]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function tables(spec) {
    var out = [], seen = {};
    function add(rows) {
      if (!Array.isArray(rows) || !rows.length || typeof rows[0] !== "object") return;
      var key = JSON.stringify(rows);
      if (!seen[key]) { seen[key] = true; out.push(rows); }
    }
    Object.keys(spec.datasets || {}).forEach(function (k) { add(spec.datasets[k]); });
    eachView(spec, function (v) { if (v.data && v.data.values) add(v.data.values); });
    return out;
  }

  // The rows the chart plots, as CSV: comment lines with the caption, source and citation,
  // then a header of column titles with their units (field names where a column has none).
  function csvText(fig) {
    var spec = specOf(fig), m = meta(fig), b = build();
    var parts = tables(spec), columns = [], rows = [];
    parts.forEach(function (t, i) {
      t.forEach(function (r) {
        var row = parts.length > 1 ? { part: i + 1 } : {};
        Object.keys(r).forEach(function (k) { row[k] = r[k]; });
        rows.push(row);
        Object.keys(row).forEach(function (k) { if (columns.indexOf(k) < 0) columns.push(k); });
      });
    });
    if (parts.length > 1) { columns.splice(columns.indexOf("part"), 1); columns.unshift("part"); }
    var titles = m.columns || {};
    var lines = [
      "# " + figureLabel(fig) + ": " + (m.caption || ""),
      "# Source: " + (m.source || ""),
      "# From " + b.title + ", version " + b.version + ", commit " + b.commit + ", built from the commit of " + b.date + ": " + permalink(fig),
      "# Columns: " + columns.map(function (c) { return c + " = " + (titles[c] || c); }).join("; ")
    ];
    if (parts.length > 1) lines.push("# part numbers the chart's tables (bars, rules, labels...)");
    lines.push(columns.map(function (c) { return csvCell(titles[c] || c); }).join(","));
    rows.forEach(function (r) {
      lines.push(columns.map(function (c) { return csvCell(r[c]); }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }

  // A light-theme view of the chart at its drawn width, for SVG and PNG files.
  function exportView(fig) {
    var spec = fitted(specOf(fig), (fig._aiboomDrawn || {}).width || columnWidth(fig), false,
                      "white", fig._aiboomPanelWidth);
    var holder = document.createElement("div");
    return window.vegaEmbed(holder, spec, { renderer: "svg", actions: false })
      .then(function (result) { return result.view; });
  }

  function bibEscape(s) {
    return String(s).replace(/([{}%&$#_])/g, "\\$1");
  }

  function citation(fig) {
    var m = meta(fig), b = build(), year = (b.date.match(/^\d{4}/) || [""])[0];
    var plain = b.author + " (" + (year || "n.d.") + "). " + figureLabel(fig) + ": " +
      (m.caption || "").replace(/[.\s]+$/, "") + ". In " + b.title + ", version " + b.version + ", commit " +
      b.commit + ", built from the commit of " + b.date + ". " + permalink(fig);
    var key = "aiboom_" + fig.id.replace(/[^A-Za-z0-9]+/g, "_").slice(0, 60);
    var bib = "@misc{" + key + ",\n" +
      "  author = {{" + bibEscape(b.author) + "}},\n" +
      "  title = {" + bibEscape(m.caption || "") + "},\n" +
      "  howpublished = {" + bibEscape(figureLabel(fig)) + " in \\emph{" + bibEscape(b.title) + "}},\n" +
      "  year = {" + (year || "n.d.") + "},\n" +
      "  version = {" + bibEscape(b.version) + "},\n" +
      "  note = {Version " + bibEscape(b.version) + ", commit " + bibEscape(b.commit) +
      ", built from the commit of " + bibEscape(b.date) + ". Source: " + bibEscape(m.source || "") + "},\n" +
      "  url = {" + permalink(fig) + "}\n}";
    return { plain: plain, bibtex: bib };
  }

  function figureLabel(fig) { return fig.getAttribute("data-figure-label") || "Figure"; }

  function button(label, title, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "aiboom-chart-action";
    b.textContent = label;
    b.title = title;
    b.addEventListener("click", onClick);
    return b;
  }

  function setStatus(fig, text) {
    var s = fig.querySelector(".aiboom-chart-status");
    if (s) s.textContent = text;
  }

  function decorate(fig, index, chapter) {
    var label = "Figure " + (chapter ? chapter + "." : "") + index;
    fig.setAttribute("data-figure-label", label);
    var cap = fig.querySelector("figcaption");
    if (cap && !cap.querySelector(".aiboom-fig-num")) {
      var a = document.createElement("a");
      a.className = "aiboom-fig-num";
      a.href = "#" + fig.id;
      a.title = "Permalink to this figure";
      a.textContent = label + ".";
      cap.insertBefore(document.createTextNode(" "), cap.firstChild);
      cap.insertBefore(a, cap.firstChild);
    }
    if (fig.querySelector(".aiboom-chart-actions")) return;
    var bar = document.createElement("div");
    bar.className = "aiboom-chart-actions";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", label + ": downloads and citation");
    var stem = fig.id;
    bar.appendChild(button("Data (CSV)", "Download the rows this chart plots", function () {
      saveFile(stem + ".csv", new Blob([csvText(fig)], { type: "text/csv;charset=utf-8" }));
      setStatus(fig, "CSV saved.");
    }));
    bar.appendChild(button("SVG", "Download the chart as a vector image", function () {
      exportView(fig).then(function (view) {
        return view.toSVG().then(function (svg) {
          view.finalize();
          saveFile(stem + ".svg", new Blob([svg], { type: "image/svg+xml" }));
          setStatus(fig, "SVG saved.");
        });
      }).catch(function (e) { console.error(e); setStatus(fig, "SVG export failed."); });
    }));
    bar.appendChild(button("PNG", "Download the chart as an image", function () {
      exportView(fig).then(function (view) {
        return view.toCanvas(2).then(function (canvas) {
          view.finalize();
          canvas.toBlob(function (blob) {
            saveFile(stem + ".png", blob);
            setStatus(fig, "PNG saved.");
          }, "image/png");
        });
      }).catch(function (e) { console.error(e); setStatus(fig, "PNG export failed."); });
    }));
    var cite = document.createElement("div");
    cite.className = "aiboom-cite";
    cite.hidden = true;
    var citeButton = button("Cite", "How to cite this figure", function () {
      var c = citation(fig);
      cite.innerHTML = "";
      var p = document.createElement("p");
      p.className = "aiboom-cite-plain";
      p.textContent = c.plain;
      var pre = document.createElement("pre");
      pre.className = "aiboom-cite-bibtex";
      pre.textContent = c.bibtex;
      cite.appendChild(p);
      cite.appendChild(pre);
      cite.hidden = !cite.hidden;
      citeButton.setAttribute("aria-expanded", String(!cite.hidden));
    });
    citeButton.setAttribute("aria-expanded", "false");
    bar.appendChild(citeButton);
    var status = document.createElement("span");
    status.className = "aiboom-chart-status";
    status.setAttribute("role", "status");
    bar.appendChild(status);
    var before = fig.querySelector("details.aiboom-chart-data") || null;
    fig.insertBefore(bar, before);
    fig.insertBefore(cite, before);
  }

  // ---------------------------------------------------------------------------------------

  function start() {
    var figs = Array.prototype.slice.call(document.querySelectorAll("figure.aiboom-chart"));
    if (!figs.length) return;
    var chapter = chapterNumber();
    figs.forEach(function (fig, i) {
      decorate(fig, i + 1, chapter);
      draw(fig);
    });
    var pending = null;
    function redrawChanged(force) {
      figs.forEach(function (fig) {
        var d = fig._aiboomDrawn;
        if (force || !d || d.dark !== isDark() || Math.abs(d.width - columnWidth(fig)) > 4) draw(fig);
      });
    }
    if (window.ResizeObserver) {
      var ro = new ResizeObserver(function () {
        clearTimeout(pending);
        pending = setTimeout(function () { redrawChanged(false); }, 150);
      });
      figs.forEach(function (fig) { ro.observe(fig); });
    } else {
      window.addEventListener("resize", function () {
        clearTimeout(pending);
        pending = setTimeout(function () { redrawChanged(false); }, 150);
      });
    }
    new MutationObserver(function () { redrawChanged(false); }).observe(
      document.documentElement, { attributes: true, attributeFilter: ["data-theme", "data-mode"] });
    if (window.matchMedia) {
      var mq = window.matchMedia("(prefers-color-scheme: dark)");
      if (mq.addEventListener) mq.addEventListener("change", function () { redrawChanged(false); });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Glued numbers link to results.json#<name>; a click shows that record in place.

  var results = null;
  function loadResults(url) {
    if (!results) {
      results = fetch(url).then(function (r) { return r.json(); });
    }
    return results;
  }

  function showRecord(link) {
    var href = link.getAttribute("href");
    var name = decodeURIComponent(href.split("#")[1] || "");
    var box = link.nextElementSibling;
    if (box && box.classList.contains("aiboom-record")) { box.remove(); return; }
    loadResults(href.split("#")[0]).then(function (manifest) {
      var base = name.replace(/_p(5|95)$/, "");
      var rec = (manifest.results || []).filter(function (r) { return r.name === base; })[0];
      var el = document.createElement("span");
      el.className = "aiboom-record";
      el.setAttribute("role", "note");
      if (!rec) { el.textContent = name + ": no record in results.json."; }
      else {
        var interval = (rec.p5 !== null && rec.p5 !== undefined)
          ? " (90% interval " + rec.p5 + " to " + rec.p95 + ")" : "";
        el.textContent = rec.name + " = " + rec.value + " " + (rec.unit || "") + interval +
          ": " + (rec.description || "") + ". Notebook " + rec.notebook + ", scenario " +
          rec.scenario + ". ";
        var a = document.createElement("a");
        a.href = href.split("#")[0];
        a.textContent = "All results (JSON)";
        el.appendChild(a);
      }
      link.insertAdjacentElement("afterend", el);
    }).catch(function () { window.location.href = href; });
  }

  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("a.aiboom-glued");
    if (!link || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    ev.preventDefault();
    showRecord(link);
  });

  /* The theme's "PDF" button prints the page; when the build wrote the book's PDF
   * (aiboom build --pdf), the button downloads that file instead. */
  function pdfButton() {
    var pdf = (window.AIBOOM_BUILD || {}).pdf;
    if (!pdf) return;
    var root = document.documentElement.getAttribute("data-content_root") || "";
    Array.prototype.forEach.call(document.querySelectorAll(".btn-download-pdf-button"),
      function (btn) {
        btn.onclick = function () { window.location.href = root + pdf; };
        btn.setAttribute("title", "Download the whole book (PDF)");
        btn.setAttribute("data-bs-original-title", "Download the whole book (PDF)");
      });
  }

  window.aiboomCharts = { fitted: fitted, csvText: csvText, citation: citation, draw: draw };
  function ready() { pdfButton(); start(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
