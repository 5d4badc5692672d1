/* gategrad explorer, part 2 of 2: the side panel (overview, node details, gradient health),
 * the edge tooltip and the overlay. explorer.js (part 1: drawing, steps, zoom and pan)
 * loads after this file and calls GategradExplorerPanel(Explorer, helpers) to add these
 * methods to its Explorer before any explorer starts. User text is only ever set with
 * textContent, never parsed as HTML.
 */
window.GategradExplorerPanel = function (Explorer, h) {
  "use strict";
  var el = h.el, svg = h.svg, clamp = h.clamp, heat = h.heat;

  // -- the side panel ---------------------------------------------------------------------
  Explorer.prototype.home = function () {
    var m = this.m, p = this.panel;
    p.textContent = "";
    this.selected = null;
    this.root.querySelectorAll(".gg-selected").forEach(function (e) {
      e.classList.remove("gg-selected");
    });
    p.appendChild(el("h3", null, "Explore the graph"));
    var shown = m.shown;
    p.appendChild(el("p", null, shown + " of " + m.total + " nodes shown" +
      (m.hidden ? " (the " + shown + " nearest the output; " + m.hidden + " not drawn)" : "") +
      "." + (m.saved ? " " + m.saved + " more open from the ▸ … more boxes." : "")));
    var self = this;
    var stubs = m.nodes.filter(function (n) { return n.kind === "stub" && !n.scope; })
      .concat(this.groups.filter(function (g) { return g.kind === "more" && !g.parent; }));
    if (stubs.length) {
      var next = el("button", { type: "button", class: "gg-go-stub" },
                    "go to the inputs not drawn (" + stubs.length + " gates)");
      var k = 0;
      next.onclick = function () {
        var n = stubs[k % stubs.length];
        k += 1;
        self.focusNode(n.id);
        self.select(n.id);
      };
      p.appendChild(next);
    }
    var modules = this.groups.filter(function (g) { return g.kind === "module"; });
    if (modules.length) {
      p.appendChild(el("p", null, modules.length + " groups, one per module of the model " +
        "(a layer, a neuron): click one to open or shut it."));
      var openAll = el("button", { type: "button", class: "gg-open-all" }, "open all");
      openAll.onclick = function () { self.setAllGroups(true); };
      var shutAll = el("button", { type: "button", class: "gg-shut-all" }, "shut all");
      shutAll.onclick = function () { self.setAllGroups(false); };
      p.appendChild(openAll);
      p.appendChild(shutAll);
    }
    if (!m.has_backward) {
      p.appendChild(el("p", { class: "gg-hint" }, "No backward pass yet: this shows the " +
        "forward pass. Call root.backward(), then explore again, to step through gradients."));
    }
    var tips = el("ul", { class: "gg-help" });
    ["Click a node: its numbers and its gate's derivative rule.",
     "Hover an edge: local_diff × up_diff = down_diff.",
     "← → step, space play, Home/End first/last.",
     "Wheel or + − zoom, drag or shift+arrows pan, 0 fit.",
     "h: gradient-health overlay."].concat(this.groups.length ? ["Click a group (▸) to " +
     "open it in the graph, its title bar (▾) to shut it."] : [])
      .forEach(function (t) { tips.appendChild(el("li", null, t)); });
    p.appendChild(tips);
    if (this.overlay) this.healthPanel();
  };

  Explorer.prototype.healthPanel = function () {
    var self = this, m = this.m, p = this.panel;
    p.appendChild(el("h3", null, "Gradient health"));
    var range = this.magRange();
    var legend = el("div", { class: "gg-legend" });
    legend.appendChild(el("span", { class: "gg-ramp" }));
    legend.appendChild(el("span", { class: "gg-ramp-lo" }, "|grad| 1e" + range[0].toFixed(1)));
    legend.appendChild(el("span", { class: "gg-ramp-hi" }, "1e" + range[1].toFixed(1)));
    p.appendChild(legend);
    var keys = el("p", { class: "gg-keys" });
    keys.appendChild(el("span", { class: "gg-key gg-key-zero" }, "0"));
    keys.appendChild(el("span", { class: "gg-key gg-key-bad" }, "NaN/inf"));
    keys.appendChild(el("span", { class: "gg-key gg-key-flag" }, "flagged"));
    keys.appendChild(document.createTextNode(" colour: largest |grad| (log scale); " +
      "edge width: |down_diff|"));
    p.appendChild(keys);
    if (!m.flags.length) {
      p.appendChild(el("p", { class: "gg-ok" }, "No problems found: no saturated σ/tanh, " +
        "dead ReLU, exploding or NaN/inf gradients."));
      return;
    }
    var list = el("ul", { class: "gg-flags" });
    m.flags.forEach(function (f) {
      var li = el("li", { class: "gg-flag gg-flag-" + f.kind });
      var a = el("button", { type: "button", class: "gg-link" }, f.text);
      a.onclick = function () { self.focusNode(f.node); self.select(f.node); };
      li.appendChild(a);
      list.appendChild(li);
    });
    p.appendChild(list);
  };

  // Centre node or group `id`, opening the groups around it first.
  Explorer.prototype.focusNode = function (id) {
    this.reveal(id);
    var at = this.pos[id] || this.frames[id], v = this.view;
    v.x = this.viewport.clientWidth / 2 - at.x * v.k;
    v.y = this.viewport.clientHeight / 2 - at.y * v.k;
    this.apply();
  };

  function row(table, name, value, cls) {
    var tr = el("tr", cls ? { class: cls } : null);
    tr.appendChild(el("th", null, name));
    tr.appendChild(el("td", null, value));
    table.appendChild(tr);
  }

  Explorer.prototype.select = function (id) {
    var n = this.byId[id] || this.groupById[id], m = this.m, p = this.panel, self = this;
    if (!n) return;
    this.root.querySelectorAll(".gg-selected").forEach(function (e) {
      e.classList.remove("gg-selected");
    });
    var shown = this.nodeEls[id] || this.groupEls[id];
    if (shown) shown.g.classList.add("gg-selected");
    this.selected = id;
    p.textContent = "";
    var back = el("button", { type: "button", class: "gg-link gg-back" }, "← overview");
    back.onclick = function () { self.home(); };
    p.appendChild(back);
    if (this.groupById[id] === n) {
      this.groupPanel(n);
      return;
    }
    if (n.kind === "stub") {
      p.appendChild(el("h3", null, n.missing + " inputs not drawn"));
      if (n.inputs.length) {
        var list = el("details", { class: "gg-group", open: "" });
        list.appendChild(el("summary", null, (n.inputs.length < n.missing ? "the first " : "") +
                            n.inputs.length + " of them"));
        var tt = el("table", { class: "gg-table" });
        n.inputs.forEach(function (q) {
          row(tt, q.who, "data " + q.data + (q.grad === null ? "" : "\ngrad " + q.grad) +
              (q.rule ? "\n" + q.rule : ""));
        });
        list.appendChild(tt);
        p.appendChild(list);
      }
      p.appendChild(el("p", null, "The explorer opened with the " + m.max_nodes + " nodes " +
        "nearest the output and saved up to " + m.max_nodes + " more behind its stubs, " +
        "nearest first; these are further away. " + m.hidden + " of " + m.total +
        " nodes were not drawn at first. To see more, explore again with a bigger budget:"));
      var command = el("input", { type: "text", readonly: "", class: "gg-command",
        value: "viz.explore(root, max_nodes=" + Math.min(m.total, m.max_nodes * 4) + ")",
        "aria-label": "the command to explore more" });
      command.onfocus = function () { command.select(); };
      p.appendChild(command);
      return;
    }
    if (n.kind === "gate") {
      this.gatePanel(n);
      return;
    }
    p.appendChild(el("h3", null, n.label || "(no label)"));
    var table = el("table", { class: "gg-table" });
    row(table, "made by", n.gate ? "the " + n.gate + " gate" :
      (n.role === "const" ? "a constant (no gradient)" : "an input (leaf)"));
    if (n.tensor) row(table, "shape", n.shape);
    row(table, "data", n.data);
    if (n.needs_grad) row(table, "grad", n.grad === null ? "not computed yet" : n.grad, "gg-g");
    p.appendChild(table);
    if (n.rule) {
      p.appendChild(el("p", { class: "gg-rule-title" }, "derivative rule of its gate"));
      p.appendChild(el("p", { class: "gg-rule" }, n.rule));
    }
    if (n.info) {
      ["data", "grad"].forEach(function (which) {
        if (n.info[which]) p.appendChild(self.arrayView(which, n.info[which]));
      });
    }
    m.flags.forEach(function (f) {
      if (f.node === id) p.appendChild(el("p", { class: "gg-flag gg-flag-" + f.kind }, f.text));
    });
  };

  // A gate's inputs and their chain rules. A folded sum() chain lists its terms in a
  // group that opens and closes (each partial sum passed up_diff on unchanged).
  Explorer.prototype.gatePanel = function (n) {
    var self = this, p = this.panel, out = this.byId[n.of];
    p.appendChild(el("h3", null, "gate " + n.symbol + (n.terms ? " (" + n.terms + " terms)" : "")));
    p.appendChild(el("p", { class: "gg-rule" }, out.rule));
    var inputs = this.m.edges.filter(function (e) { return e.to === n.id && e.kind === "in"; });
    var holder = p;
    if (n.terms) {
      p.appendChild(el("p", null, "A sum() chain of " + n.terms + " terms, folded into one " +
        "gate: every partial sum passes up_diff on unchanged, so each term gets the same " +
        "share." + (inputs.length < n.terms ? " " + (n.terms - inputs.length) +
        " terms are not drawn." : "")));
      holder = el("details", { class: "gg-group" });
      holder.appendChild(el("summary", null, "the " + inputs.length + " drawn terms"));
      p.appendChild(holder);
    }
    var t = el("table", { class: "gg-table" });
    inputs.forEach(function (e) {
      var src = self.byId[e.from];
      var tr = el("tr");
      var name = el("button", { type: "button", class: "gg-link" }, src.label || src.id);
      name.onclick = function () { self.focusNode(src.id); self.select(src.id); };
      var th = el("th");
      th.appendChild(name);
      tr.appendChild(th);
      tr.appendChild(el("td", null, e.rule || (self.m.has_backward ? "no gradient" :
        "no backward yet")));
      t.appendChild(tr);
    });
    holder.appendChild(t);
  };

  // A group: open / shut it, what it holds; a model's module lists its parameters.
  Explorer.prototype.groupPanel = function (g) {
    var self = this, p = this.panel, open = !!this.open[g.id];
    var what = { more: "these inputs", chain: "the partial sums" }[g.kind] || g.name;
    var toggle = el("button", { type: "button", class: "gg-toggle-group" },
                    (open ? "shut " : "open ") + what);
    toggle.onclick = function () { self.toggleGroup(g.id); };
    if (g.kind === "chain") {  // the gate it folds, with its terms, and the partial sums
      p.appendChild(toggle);
      p.appendChild(el("p", null, "Open in the graph, the sum is added one + at a time: " +
        "each partial sum shows its final data and the grad every partial sum shares."));
      this.gatePanel(this.byId["g" + g.of.slice(1)]);
      return;
    }
    if (g.kind === "more") {
      p.appendChild(el("h3", null, g.missing + " inputs not drawn"));
      p.appendChild(el("p", null, "Inputs of the " + this.byId["g" + g.of.slice(1)].symbol +
        " gate that the cut left out, saved with the page" + (open ? ", open in the graph." :
        ": open them in the graph.") + " They are not part of the steps: they show their " +
        "final data and grad. A stub inside opens further."));
      p.appendChild(toggle);
      return;
    }
    p.appendChild(el("h3", null, g.name));
    p.appendChild(el("p", null, g.cls + ": " + g.size + " values drawn" +
      (open ? " (open in the graph)" : " (shut: one box in the graph)") + "."));
    p.appendChild(toggle);
    if (g.params.length) {
      var t = el("table", { class: "gg-table gg-params" });
      g.params.forEach(function (q) {
        row(t, q.name, "data " + q.data + (q.grad === null ? "" : "\ngrad " + q.grad));
      });
      p.appendChild(el("p", { class: "gg-rule-title" }, "its parameters" +
        (g.n_params > g.params.length ? " (the first " + g.params.length + " of " +
         g.n_params + ")" : "")));
      p.appendChild(t);
    }
  };

  Explorer.prototype.arrayView = function (which, d) {
    var box = el("div", { class: "gg-array gg-array-" + which });
    box.appendChild(el("h4", null, which + " " + d.shape));
    if (d.min !== undefined) {
      box.appendChild(el("p", { class: "gg-stats" },
        "min " + d.min + "   mean " + d.mean + "   max " + d.max +
        (d.nonfinite ? "   NaN/inf: " + d.nonfinite : "")));
    } else if (d.nonfinite) {
      box.appendChild(el("p", { class: "gg-stats" }, "every element is NaN/inf"));
    }
    if (d.hist) {
      var W = 260, H = 54, c = d.hist.counts, top = Math.max.apply(null, c) || 1;
      var s = svg("svg", { class: "gg-hist", viewBox: "0 0 " + W + " " + (H + 14),
                           width: W, height: H + 14 });
      var bw = W / c.length;
      c.forEach(function (v, i) {
        var h = v ? Math.max(1, v / top * H) : 0;
        var r = svg("rect", { x: i * bw + 0.5, y: H - h, width: bw - 1, height: h });
        r.appendChild(svg("title", null, String(v)));
        s.appendChild(r);
      });
      s.appendChild(svg("text", { x: 0, y: H + 12 }, d.hist.lo));
      s.appendChild(svg("text", { x: W, y: H + 12, "text-anchor": "end" }, d.hist.hi));
      box.appendChild(s);
    }
    if (d.heat) {
      var hm = d.heat, cell = Math.min(18, Math.floor(240 / Math.max(hm.rows, hm.cols)));
      var sv = svg("svg", { class: "gg-heat", width: hm.cols * cell, height: hm.rows * cell });
      hm.cells.forEach(function (v, i) {
        sv.appendChild(svg("rect", { x: (i % hm.cols) * cell, y: Math.floor(i / hm.cols) * cell,
                                     width: cell, height: cell,
                                     fill: v < 0 ? "#ff00ff" : heat(v) }));
      });
      box.appendChild(sv);
      box.appendChild(el("p", { class: "gg-stats" }, "heatmap " + hm.lo + " … " + hm.hi +
        (hm.sampled ? " (sampled " + hm.rows + "×" + hm.cols + ")" : "")));
    }
    return box;
  };

  // -- edges: hover ---------------------------------------------------------------------
  Explorer.prototype.hoverEdge = function (id, e) {
    var edge = this.edgeById[id], tip = this.tip;
    tip.textContent = "";
    if (edge.kind !== "in" && edge.kind !== "part") { tip.hidden = true; return; }
    var from = this.byId[edge.from], to = this.byId[edge.to];
    tip.appendChild(el("div", { class: "gg-tip-title" },
      (from.label || "input") + " → " + to.symbol + " gate"));
    if (edge.rule) {
      var t = el("table");
      row(t, "local_diff", edge.local === null ? "Jacobian (see up/down)" : edge.local);
      row(t, "up_diff", edge.up);
      row(t, "down_diff", edge.down);
      tip.appendChild(t);
    } else {
      tip.appendChild(el("div", null, this.m.has_backward ? "no gradient flows here"
        : "no backward pass yet"));
    }
    tip.hidden = false;
    this.placeTip(e);
  };

  Explorer.prototype.placeTip = function (e) {
    var box = this.viewport.getBoundingClientRect();
    this.tip.style.left = Math.min(e.clientX - box.left + 14, box.width - 240) + "px";
    this.tip.style.top = (e.clientY - box.top + 14) + "px";
  };

  // -- the gradient-health overlay ------------------------------------------------------------
  Explorer.prototype.magRange = function () {
    var lo = Infinity, hi = -Infinity;
    this.m.nodes.forEach(function (n) {
      if (typeof n.mag === "number") { lo = Math.min(lo, n.mag); hi = Math.max(hi, n.mag); }
    });
    if (lo === Infinity) return [0, 0];
    return [lo, hi];
  };

  Explorer.prototype.setOverlay = function (on) {
    this.paint(on);
    if (this.selected) this.select(this.selected); else this.home();
  };

  // The overlay's colours and widths on what is shown (refresh paints what opens later).
  Explorer.prototype.paint = function (on) {
    var self = this, range = this.magRange(), span = range[1] - range[0] || 1;
    var flagged = {};
    this.m.flags.forEach(function (f) { flagged[f.node] = f.kind; });
    this.overlay = on;
    this.root.classList.toggle("gg-overlay-on", on);
    this.m.nodes.forEach(function (n) {
      var p = self.nodeEls[n.id];
      if (n.kind !== "value" || !p) return;
      var bad = n.grad !== null && /nan|inf/.test(n.grad);
      p.box.style.fill = !on || !n.needs_grad || n.grad === null ? "" :
        bad ? "#f9c6f1" : typeof n.mag === "number" ? heat((n.mag - range[0]) / span) : "#eeeeee";
      p.g.classList.toggle("gg-flagged", on && !!flagged[n.id]);
      p.g.classList.toggle("gg-zero", on && n.needs_grad && n.grad !== null && !bad &&
                           typeof n.mag !== "number");
    });
    this.groups.forEach(function (g) {  // a shut group: its largest |grad|, any flag inside
      var parts = self.groupEls[g.id], top = null, flag = false;
      if (!parts) return;
      self.inside(g.id).forEach(function (n) {
        if (typeof n.mag === "number" && (top === null || n.mag > top)) top = n.mag;
        if (flagged[n.id]) flag = true;
      });
      parts.b.style.fill = on && top !== null ? heat((top - range[0]) / span) : "";
      parts.box.classList.toggle("gg-flagged", on && flag);
    });
    this.m.edges.forEach(function (e) {
      var parts = self.edgeEls[e.id];
      if (!parts) return;
      parts.line.style.strokeWidth = on && typeof e.mag === "number" ?
        String(0.8 + 4 * (clamp(e.mag, range[0], range[1]) - range[0]) / span) : "";
    });
  };
};
