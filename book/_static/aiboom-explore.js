/* aiboom "Explore the model": sliders over the model's inputs, live outputs and two charts,
 * all in the reader's browser. No server, no kernel, nothing from another host; it works from
 * the built site and from file://.
 *
 * Needs, loaded before it: aiboom-model.js (window.aiboomModel, generated from
 * aiboom.kernels.MODEL), aiboom-explore-data.js (window.aiboomExploreData, from
 * aiboom.explore.explore_payload, and window.aiboomDerived, aiboom.explore.DERIVED_JS) and the
 * site's vega-bundle.js and aiboom-charts.js (vegaEmbed and the site's chart theme).
 *
 * State: a scenario and its inputs, with the sliders the reader moved; the URL's hash carries
 * the scenario and every value that differs from it (#scenario=bull&decode_batch_size=128),
 * so a what-if can be shared. Each displayed output carries its raw number in data-value.
 */
(function () {
  "use strict";

  var data = window.aiboomExploreData;
  var model = window.aiboomModel;
  var derived = window.aiboomDerived;
  var root = document.getElementById("aiboom-explore");
  if (!root) return;
  if (!data || !model || !derived) {
    root.textContent = "The model's scripts did not load, so the sliders cannot run.";
    return;
  }

  var sliders = data.sliders;
  var byId = {};
  sliders.forEach(function (s) { byId[s.id] = s; });
  var kernelLevers = sliders.filter(function (s) { return s.kernel; });

  var state = { scenario: null, values: {}, lever: kernelLevers[0].id };
  var charts = { payback: null, users: null };
  var chartData = { payback: [], users: [] };

  // -- numbers in words ----------------------------------------------------------------------

  var compact = new Intl.NumberFormat("en", { notation: "compact", maximumSignificantDigits: 3 });
  var plain = new Intl.NumberFormat("en", { maximumSignificantDigits: 3 });

  function money(v) {
    if (v !== 0 && Math.abs(v) < 0.01) return "US$" + v.toPrecision(2);
    if (Math.abs(v) >= 1e4) return "US$" + compact.format(v);
    return "US$" + (Math.abs(v) < 100 ? v.toFixed(2) : plain.format(v));
  }

  function percent(v) {
    var p = v * 100;
    return (Math.abs(p) < 10 ? p.toPrecision(2) : plain.format(p)) + "%";
  }

  var UNIT_WORDS = {
    "USD/GPU-hour": function (v) { return money(v) + " per GPU-hour"; },
    "USD/month": function (v) { return money(v) + " a month"; },
    "USD": money,
    "USD/user/month": function (v) { return money(v) + " per user a month"; },
    "fraction": percent,
    "ratio": function (v) { return plain.format(v) + "\u00d7"; },
    "parameters": function (v) { return compact.format(v) + " parameters"; },
    "count": function (v) { return plain.format(v); },
    "tokens/query": function (v) { return plain.format(v) + " tokens"; },
    "tokens": function (v) { return plain.format(v) + " tokens"; },
    "months": function (v) { return plain.format(v) + (v === 1 ? " month" : " months"); },
    "queries/user/day": function (v) { return plain.format(v) + " a day"; }
  };

  // A range's ends: the number alone (the slider's label and value give the unit).
  function short(v, unit) {
    if (unit === "fraction") return percent(v);
    if (unit.indexOf("USD") === 0) return "US$" + (Math.abs(v) >= 1e4 ? compact.format(v) : plain.format(v));
    if (unit === "ratio") return plain.format(v) + "\u00d7";
    return compact.format(v);
  }

  function inWords(v, unit) {
    var f = UNIT_WORDS[unit];
    return f ? f(v) : plain.format(v) + " " + unit;
  }

  // -- slider positions and values -----------------------------------------------------------

  function toValue(s, pos) {
    var t = pos / s.steps;
    var v = s.scale === "log"
      ? Math.exp(Math.log(s.low) + t * (Math.log(s.high) - Math.log(s.low)))
      : s.low + t * (s.high - s.low);
    v = s.integer ? Math.round(v) : Number(v.toPrecision(3));
    return Math.min(s.high, Math.max(s.low, v));
  }

  function toPosition(s, v) {
    var t = s.scale === "log"
      ? (Math.log(v) - Math.log(s.low)) / (Math.log(s.high) - Math.log(s.low))
      : (v - s.low) / (s.high - s.low);
    return Math.round(Math.min(1, Math.max(0, t)) * s.steps);
  }

  function grid(s, n) {
    var xs = [];
    for (var i = 0; i < n; i++) {
      var t = i / (n - 1);
      xs.push(s.scale === "log"
        ? Math.exp(Math.log(s.low) + t * (Math.log(s.high) - Math.log(s.low)))
        : s.low + t * (s.high - s.low));
    }
    return xs;
  }

  // -- the model ------------------------------------------------------------------------------

  function scenario() { return data.scenarios[state.scenario]; }

  function params(values) {
    var p = {};
    model.inputs.forEach(function (k) { p[k] = values[k]; });
    return p;
  }

  function outputs(values) {
    var acc = scenario().accelerator;
    var y = model.evaluate(params(values), acc);
    var token = model.evaluate(
      derived.millionTokenParams(params(values), data.million_token_overrides), acc);
    var c = y.usd_per_query;
    var s = values.paid_conversion_rate, price = values.subscription_usd_per_month;
    var qf = values.queries_per_free_user_per_day, qp = values.queries_per_paid_user_per_day;
    var cost = derived.usersComputeUsdPerMonth(1.0, s, qf, qp, c);
    var revenue = derived.subscriptionRevenue(1.0, s, price);
    return {
      usd_per_query: c,
      usd_per_million_output_tokens: token.usd_per_query,
      compute_usd_per_user_month: cost,
      margin_at_price: derived.grossMargin(revenue, cost),
      payback_months: y.payback_months,
      break_even_paying_share: derived.breakEvenConversionRate(price, c, qf, qp)
    };
  }

  var OUTPUTS = [
    ["usd_per_query", "Cost per query", function (v) {
      return v < 0.01 ? (v * 100).toPrecision(2) + " cents" : money(v);
    }],
    ["usd_per_million_output_tokens", "Cost per million output tokens", money],
    ["compute_usd_per_user_month", "Monthly compute per weekly user", money],
    ["margin_at_price", "Margin at the subscription price", percent],
    ["payback_months", "Payback of the enterprise project", function (v) {
      return isFinite(v) ? plain.format(v) + " months"
        : "never (not within " + plain.format(data.horizon_months) + " months)";
    }],
    ["break_even_paying_share", "Break-even paying share", function (v) {
      return isFinite(v) ? percent(v) : "none: a paying user's own compute costs more than the price";
    }]
  ];

  // -- the page -------------------------------------------------------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  root.textContent = "";
  var controls = el("div", { "class": "aiboom-explore-controls" });
  var pick = el("label", { "class": "aiboom-explore-pick" });
  pick.appendChild(el("span", {}, "Scenario "));
  var picker = el("select", { "data-control": "scenario" });
  data.scenario_order.forEach(function (name) {
    picker.appendChild(el("option", { value: name }, data.scenarios[name].title));
  });
  pick.appendChild(picker);
  controls.appendChild(pick);
  var reset = el("button", { type: "button", "class": "aiboom-explore-button",
    "data-control": "reset" }, "Back to the scenario's values");
  controls.appendChild(reset);
  var copy = el("button", { type: "button", "class": "aiboom-explore-button",
    "data-control": "copy" }, "Copy link to this what-if");
  controls.appendChild(copy);
  var copied = el("span", { "class": "aiboom-explore-note", role: "status" });
  controls.appendChild(copied);
  root.appendChild(controls);

  var layout = el("div", { "class": "aiboom-explore-layout" });
  var panel = el("div", { "class": "aiboom-explore-sliders" });
  var out = el("dl", { "class": "aiboom-explore-outputs" });
  layout.appendChild(out);
  layout.appendChild(panel);
  root.appendChild(layout);

  var rows = {};
  sliders.forEach(function (s, i) {
    var id = "aiboom-explore-" + s.id;
    var row = el("div", { "class": "aiboom-explore-slider", "data-lever": s.id });
    var head = el("div", { "class": "aiboom-explore-slider-head" });
    head.appendChild(el("label", { "for": id, title: s.description }, s.label));
    var value = el("output", { "for": id, "data-param": s.id });
    head.appendChild(value);
    row.appendChild(head);
    var track = el("div", { "class": "aiboom-explore-track" });
    var input = el("input", { type: "range", id: id, min: "0", max: String(s.steps), step: "1",
      "data-slider": s.id, "aria-describedby": id + "-range" });
    track.appendChild(input);
    var mark = el("span", { "class": "aiboom-explore-mark", "aria-hidden": "true" });
    track.appendChild(mark);
    row.appendChild(track);
    var range = el("div", { "class": "aiboom-explore-range", id: id + "-range" });
    range.appendChild(el("span", {}, short(s.low, s.unit)));
    range.appendChild(el("span", {}, short(s.high, s.unit)));
    row.appendChild(range);
    var markNote = el("div", { "class": "aiboom-explore-mark-note" });
    row.appendChild(markNote);
    panel.appendChild(row);
    rows[s.id] = { input: input, value: value, mark: mark, markNote: markNote, row: row };
    input.addEventListener("input", function () {
      state.values[s.id] = toValue(s, +input.value);
      update(true);
    });
    if (i === 0) row.classList.add("aiboom-explore-first");
  });

  var outNodes = {};
  OUTPUTS.forEach(function (o) {
    var box = el("div", { "class": "aiboom-explore-output", "data-output": o[0] });
    box.appendChild(el("dt", {}, o[1]));
    var dd = el("dd", {});
    box.appendChild(dd);
    out.appendChild(box);
    outNodes[o[0]] = { box: box, dd: dd, words: o[2] };
  });

  var figs = el("div", { "class": "aiboom-explore-charts" });
  function figure(name, caption) {
    var fig = el("figure", { "class": "aiboom-explore-chart", "data-chart": name,
      "data-revision": "0" });
    var view = el("div", { "class": "aiboom-explore-view" });
    fig.appendChild(view);
    var cap = el("figcaption", {});
    cap.appendChild(caption);
    fig.appendChild(cap);
    figs.appendChild(fig);
    return { fig: fig, view: view };
  }
  var leverPick = el("select", { "data-control": "lever" });
  kernelLevers.forEach(function (s) { leverPick.appendChild(el("option", { value: s.id }, s.label)); });
  var cap1 = el("span", {});
  cap1.appendChild(document.createTextNode("Payback of the enterprise project against "));
  cap1.appendChild(leverPick);
  cap1.appendChild(document.createTextNode(", every other input as set above. " +
    "The dot is the value set; a payback never reached is drawn at the horizon."));
  var cap2 = el("span", {}, "Yearly cost per user against the number of users: a software " +
    "product's fixed cost is spread ever thinner, while an AI subscriber's compute stays. " +
    "The dashed line is a year of the subscription price.");
  charts.payback = figure("payback", cap1);
  charts.users = figure("users", cap2);
  root.appendChild(figs);

  // -- URL state ------------------------------------------------------------------------------

  function readHash() {
    var h = window.location.hash.replace(/^#/, "");
    var out = {};
    h.split("&").forEach(function (part) {
      if (!part) return;
      var kv = part.split("=");
      out[decodeURIComponent(kv[0])] = decodeURIComponent(kv.slice(1).join("="));
    });
    return out;
  }

  function writeHash() {
    var base = scenario().inputs;
    var parts = ["scenario=" + encodeURIComponent(state.scenario)];
    sliders.forEach(function (s) {
      if (state.values[s.id] !== base[s.id]) {
        parts.push(encodeURIComponent(s.id) + "=" + encodeURIComponent(String(state.values[s.id])));
      }
    });
    if (state.lever !== kernelLevers[0].id) parts.push("lever=" + encodeURIComponent(state.lever));
    var url = window.location.href.split("#")[0] + "#" + parts.join("&");
    try { window.history.replaceState(null, "", url); } catch (e) { window.location.hash = parts.join("&"); }
  }

  function load(name, overrides) {
    state.scenario = data.scenarios[name] ? name : defaultScenario();
    state.values = Object.assign({}, scenario().inputs);
    Object.keys(overrides || {}).forEach(function (k) {
      var v = parseFloat(overrides[k]);
      if (byId[k] && isFinite(v)) state.values[k] = Math.min(byId[k].high, Math.max(byId[k].low, v));
    });
    picker.value = state.scenario;
  }

  function defaultScenario() {
    var built = (window.AIBOOM_BUILD || {}).scenario;
    return data.scenarios[built] ? built : data.scenario_order[0];
  }

  // -- charts ---------------------------------------------------------------------------------

  function isDark() {
    var r = document.documentElement;
    var theme = r.getAttribute("data-theme");
    if (theme === "dark" || theme === "light") return theme === "dark";
    return r.getAttribute("data-mode") === "dark";
  }

  function widthOf(view) {
    return Math.max(260, Math.min(900, Math.floor(view.getBoundingClientRect().width || 600)));
  }

  function themed(spec, view) {
    var w = widthOf(view);
    if (window.aiboomCharts && window.aiboomCharts.fitted) {
      return window.aiboomCharts.fitted(spec, w, isDark(), null);
    }
    spec.width = w - 80;
    return spec;
  }

  function paybackSpec() {
    var s = byId[state.lever];
    var ink = isDark() ? "#d4d4d4" : "#333333";
    return {
      description: "Payback in months against " + s.label,
      height: 260,
      layer: [
        { data: { values: chartData.payback },
          mark: { type: "line", color: data.palette[0], strokeWidth: 2 },
          encoding: {
            x: { field: "x", type: "quantitative", title: s.label + " (" + s.unit + ")",
                 scale: { type: s.scale === "log" ? "log" : "linear", nice: false,
                          domain: [s.low, s.high] }, axis: { tickCount: 5 } },
            y: { field: "y", type: "quantitative",
                 title: "Payback, months (never: " + data.horizon_months + ")",
                 scale: { domain: [0, data.horizon_months], clamp: true } } } },
        { data: { values: [{ x: state.values[s.id], y: chartData.current }] },
          mark: { type: "point", filled: true, size: 80, color: data.palette[1] },
          encoding: { x: { field: "x", type: "quantitative" },
                      y: { field: "y", type: "quantitative" } } },
        { data: { values: [{ x: scenario().inputs[s.id] }] },
          mark: { type: "rule", strokeDash: [4, 3], color: ink },
          encoding: { x: { field: "x", type: "quantitative" } } }
      ]
    };
  }

  // Powers of ten from lo to hi: the ticks (and grid lines) of a log axis.
  function decades(lo, hi) {
    var out = [];
    for (var e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(Math.pow(10, e));
    return out;
  }

  function usersSpec() {
    var price = state.values.subscription_usd_per_month * 12.0;
    var ink = isDark() ? "#d4d4d4" : "#333333";
    var names = data.products;
    var domain = [names.software, names.ai];
    var xs = data.users_grid;
    var all = chartData.users.map(function (r) { return r.per_user_usd; }).concat([price]);
    var ys = [Math.pow(10, Math.floor(Math.log10(Math.min.apply(null, all)))),
              Math.pow(10, Math.ceil(Math.log10(Math.max.apply(null, all))))];
    return {
      description: "Yearly cost per user against users, software and an AI subscriber",
      height: 260,
      layer: [
        { data: { values: chartData.users.map(function (r) {
            return { product: names[r.product], users: r.users, per_user_usd: r.per_user_usd };
          }) },
          mark: { type: "line", strokeWidth: 2 },
          encoding: {
            x: { field: "users", type: "quantitative", title: "Users",
                 scale: { type: "log", domain: [xs[0], xs[xs.length - 1]], nice: false },
                 axis: { format: "~s", values: decades(xs[0], xs[xs.length - 1]) } },
            y: { field: "per_user_usd", type: "quantitative", title: "US$ per user per year",
                 scale: { type: "log", domain: [ys[0], ys[1]], nice: false },
                 axis: { format: "$~s", values: decades(ys[0], ys[1]) } },
            color: { field: "product", type: "nominal", title: null,
                     scale: { domain: domain, range: [data.palette[0], data.palette[1]] } } } },
        { data: { values: [{ y: price }] },
          mark: { type: "rule", strokeDash: [4, 3], color: ink },
          encoding: { y: { field: "y", type: "quantitative" } } }
      ]
    };
  }

  var pendingDraw = null;
  function drawCharts() {
    if (pendingDraw) return;
    pendingDraw = window.requestAnimationFrame(function () {
      pendingDraw = null;
      [["payback", paybackSpec], ["users", usersSpec]].forEach(function (c) {
        var chart = charts[c[0]];
        if (!window.vegaEmbed) { chart.view.textContent = "Chart library failed to load."; return; }
        var spec = themed(c[1](), chart.view);
        window.vegaEmbed(chart.view, spec, { renderer: "svg", actions: false })
          .then(function (result) {
            if (chart.result) chart.result.finalize();
            chart.result = result;
            chart.fig.setAttribute("data-revision", String(+chart.fig.getAttribute("data-revision") + 1));
          }).catch(function (e) { console.error(e); chart.view.textContent = "Chart failed to render."; });
      });
    });
  }

  // -- update everything ----------------------------------------------------------------------

  function update(fromInput) {
    var base = scenario().inputs;
    sliders.forEach(function (s) {
      var r = rows[s.id], v = state.values[s.id];
      if (!fromInput || document.activeElement !== r.input) r.input.value = String(toPosition(s, v));
      r.value.textContent = inWords(v, s.unit);
      r.value.setAttribute("data-value", String(v));
      var mark = base[s.id];
      r.mark.style.left = "calc(" + (toPosition(s, mark) / s.steps) + " * (100% - 1rem) + 0.5rem)";
      r.mark.title = "This scenario: " + inWords(mark, s.unit);
      r.markNote.textContent = "\u25BC " + scenario().title.split(":")[0] + ": " + inWords(mark, s.unit);
      r.row.classList.toggle("aiboom-explore-moved", v !== mark);
    });
    var y = outputs(state.values);
    OUTPUTS.forEach(function (o) {
      var n = outNodes[o[0]], v = y[o[0]];
      n.box.setAttribute("data-value", String(v));
      n.dd.textContent = n.words(v);
    });
    var lever = byId[state.lever];
    var xs = grid(lever, data.curve_points);
    chartData.payback = xs.map(function (x) {
      var v = Object.assign({}, state.values);
      v[lever.id] = x;
      return { x: x, y: Math.min(model.evaluate(params(v), scenario().accelerator).payback_months,
                                  data.horizon_months) };
    });
    chartData.current = Math.min(y.payback_months, data.horizon_months);
    chartData.users = derived.costAgainstUsers(data.users_grid, state.values, y.usd_per_query);
    leverPick.value = state.lever;
    writeHash();
    drawCharts();
  }

  picker.addEventListener("change", function () { load(picker.value, {}); update(false); });
  leverPick.addEventListener("change", function () { state.lever = leverPick.value; update(false); });
  reset.addEventListener("click", function () { load(state.scenario, {}); update(false); });
  copy.addEventListener("click", function () {
    var url = window.location.href;
    var done = function () { copied.textContent = "Link copied."; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, function () { copied.textContent = url; });
    } else {
      copied.textContent = url;
    }
  });

  function fromUrl() {
    var h = readHash();
    var name = h.scenario;
    delete h.scenario;
    if (h.lever && byId[h.lever] && byId[h.lever].kernel) state.lever = h.lever;
    delete h.lever;
    load(name || defaultScenario(), h);
    update(false);
  }
  window.addEventListener("hashchange", fromUrl);

  // Redraw the charts when the theme or the column's width changes.
  new MutationObserver(drawCharts).observe(document.documentElement,
    { attributes: true, attributeFilter: ["data-theme", "data-mode"] });
  var lastWidth = 0;
  window.addEventListener("resize", function () {
    var w = widthOf(charts.payback.view);
    if (Math.abs(w - lastWidth) > 4) { lastWidth = w; drawCharts(); }
  });

  window.aiboomExplore = {
    state: state, chartData: chartData, outputs: outputs, toValue: toValue,
    toPosition: toPosition
  };
  fromUrl();
})();
