/* gategrad explorer, part 1 of 2: makes a laid-out computation graph interactive (drawing,
 * steps, zoom and pan; the side panel is explorer_panel.js, which must load first).
 *
 * The data (boxes with Graphviz positions, edges, steps, health flags) is JSON in a
 * <script type="application/json" class="gg-data"> inside each .gg-explorer element;
 * every number in it was computed by the engine. This script only draws and replays:
 * step k shows what is known after steps 0..k. User text (labels) is only ever set with
 * textContent, never parsed as HTML.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var MIN_FONT_PX = 10; // "fit" never shrinks text below this on screen
  var MAX_FIT = 1.6;
  var PLAY_MS = 900;

  function el(tag, attrs, text, ns) {
    var e = ns ? document.createElementNS(SVG, tag) : document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    }
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function svg(tag, attrs, text) { return el(tag, attrs, text, true); }
  function clamp(x, lo, hi) { return Math.max(lo, Math.min(hi, x)); }

  function pathOf(pts) {
    if (!pts.length) return "";
    var d = "M" + pts[0][0] + "," + pts[0][1];
    for (var i = 1; i + 2 < pts.length; i += 3) {
      d += " C" + pts[i] + " " + pts[i + 1] + " " + pts[i + 2];
    }
    return d;
  }

  // Light blue (small |grad|) to orange-red (large): readable under dark text.
  function heat(t) {
    var a = [222, 235, 247], b = [253, 208, 162], c = [239, 101, 72];
    t = clamp(t, 0, 1);
    var from = t < 0.5 ? a : b, to = t < 0.5 ? b : c, u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    return "rgb(" + from.map(function (v, i) { return Math.round(v + (to[i] - v) * u); })
      .join(",") + ")";
  }

  function Explorer(root) {
    this.root = root;
    this.m = JSON.parse(root.querySelector(".gg-data").textContent);
    this.byId = {};
    this.m.nodes.forEach(function (n) { this.byId[n.id] = n; }, this);
    this.edgeById = {};
    this.m.edges.forEach(function (e) { this.edgeById[e.id] = e; }, this);
    this.view = { k: 1, x: 0, y: 0 };
    this.at = 0;
    this.timer = null;
    this.overlay = false;
    this.initGroups();
    this.build();
    this.fit();
    this.show(root.getAttribute("data-start") === "end" ? this.m.steps.length - 1 : 0);
    if (root.getAttribute("data-overlay") === "on" && this.m.has_backward) {
      this.cOverlay.checked = true;
      this.setOverlay(true);
    }
    root.setAttribute("data-ready", "1");
    // When the page became interactive and its first frame was drawn (the browser lays
    // the graph out before that frame), for benchmarks/bench_explore.py.
    requestAnimationFrame(function () {
      setTimeout(function () {
        root.setAttribute("data-ready-ms", String(Math.round(performance.now())));
      }, 0);
    });
  }

  Explorer.prototype.build = function () {
    var r = this.root, m = this.m;
    var n = m.steps.length;
    var bar = el("div", { class: "gg-bar" });
    function button(name, text, title) {
      var b = el("button", { type: "button", class: "gg-" + name, title: title }, text);
      bar.appendChild(b);
      return b;
    }
    this.bFirst = button("first", "|◀", "first step (Home)");
    this.bPrev = button("prev", "◀", "previous step (←)");
    this.bPlay = button("play", "► play", "play / pause (space)");
    this.bNext = button("next", "▶", "next step (→)");
    this.bLast = button("last", "▶|", "last step (End)");
    this.slider = el("input", { type: "range", min: "0", max: String(n - 1), value: "0",
                                class: "gg-slider", "aria-label": "step" });
    bar.appendChild(this.slider);
    this.count = el("span", { class: "gg-count" });
    bar.appendChild(this.count);
    this.bFwd = button("phase-fwd", "Forward", "jump to the forward pass");
    this.bBwd = button("phase-bwd", "Backward", m.has_backward ? "jump to the backward pass"
      : "no backward pass yet: call root.backward(), then explore again");
    this.bBwd.disabled = !m.has_backward;
    var sep = el("span", { class: "gg-sep" });
    bar.appendChild(sep);
    this.bFit = button("fit", "fit", "fit to the window (0)");
    this.bOut = button("zoom-out", "−", "zoom out (-)");
    this.bIn = button("zoom-in", "+", "zoom in (+)");
    var lab = el("label", { class: "gg-toggle", title: "colour by |grad| (h)" });
    this.cOverlay = el("input", { type: "checkbox", class: "gg-overlay" });
    this.cOverlay.disabled = !m.has_backward;
    lab.appendChild(this.cOverlay);
    lab.appendChild(document.createTextNode(" gradient health"));
    bar.appendChild(lab);
    r.appendChild(bar);

    this.caption = el("div", { class: "gg-caption", "aria-live": "polite" });
    this.captionText = el("p", { class: "gg-caption-text" });
    this.shares = el("ul", { class: "gg-shares" });
    this.caption.appendChild(this.captionText);
    this.caption.appendChild(this.shares);
    r.appendChild(this.caption);

    var main = el("div", { class: "gg-main" });
    this.viewport = el("div", { class: "gg-view" });
    this.svg = svg("svg", { class: "gg-svg", role: "img", "aria-label": "computation graph" });
    var defs = svg("defs");
    var marker = svg("marker", { id: r.id + "-arrow", viewBox: "0 0 10 10", refX: "9",
                                 refY: "5", markerWidth: "8", markerHeight: "8",
                                 markerUnits: "userSpaceOnUse",
                                 orient: "auto-start-reverse" });
    marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "gg-arrow" }));
    defs.appendChild(marker);
    this.svg.appendChild(defs);
    this.world = svg("g", { class: "gg-world" });
    this.svg.appendChild(this.world);
    this.viewport.appendChild(this.svg);
    this.tip = el("div", { class: "gg-tip", hidden: "" });
    this.viewport.appendChild(this.tip);
    main.appendChild(this.viewport);
    this.panel = el("aside", { class: "gg-panel" });
    main.appendChild(this.panel);
    r.appendChild(main);
    this.emptySize = [this.viewport.clientWidth, this.viewport.clientHeight];

    this.frameLayer = svg("g", { class: "gg-frames" });
    this.world.appendChild(this.frameLayer);
    this.drawEdges(marker.id);
    this.drawNodes();
    this.groupEls = {};
    this.arrange();
    this.labels = svg("g", { class: "gg-labels" });
    this.world.appendChild(this.labels);
    this.home();
    this.wire(n);
  };

  Explorer.prototype.wire = function (n) {
    var self = this, r = this.root;
    this.bFirst.onclick = function () { self.stop(); self.show(0); };
    this.bPrev.onclick = function () { self.stop(); self.show(self.at - 1); };
    this.bNext.onclick = function () { self.stop(); self.show(self.at + 1); };
    this.bLast.onclick = function () { self.stop(); self.show(n - 1); };
    this.bPlay.onclick = function () { self.toggle(); };
    this.bFwd.onclick = function () { self.stop(); self.show(0); };
    this.bBwd.onclick = function () { self.stop(); self.show(self.m.forward_steps); };
    this.slider.oninput = function () { self.stop(); self.show(+self.slider.value); };
    this.bFit.onclick = function () { self.fit(); };
    this.bIn.onclick = function () { self.zoom(1.25); };
    this.bOut.onclick = function () { self.zoom(0.8); };
    this.cOverlay.onchange = function () { self.setOverlay(self.cOverlay.checked); };
    r.addEventListener("keydown", function (e) { self.key(e); });

    var vp = this.viewport, drag = null;
    vp.addEventListener("wheel", function (e) {
      e.preventDefault();
      var box = vp.getBoundingClientRect();
      self.zoom(Math.exp(-e.deltaY * 0.0015), e.clientX - box.left, e.clientY - box.top);
    }, { passive: false });
    vp.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, vx: self.view.x, vy: self.view.y, moved: false };
    });
    window.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 4) drag.moved = true;
      if (drag.moved) {
        vp.classList.add("gg-dragging");
        self.view.x = drag.vx + dx;
        self.view.y = drag.vy + dy;
        self.apply();
      }
    });
    window.addEventListener("pointerup", function (e) {
      if (!drag) return;
      var moved = drag.moved;
      drag = null;
      vp.classList.remove("gg-dragging");
      if (moved) return;
      var hit = e.target.closest ? e.target.closest(".gg-group-hit, .gg-node") : null;
      if (!hit || !self.root.contains(hit)) return;
      if (hit.classList.contains("gg-group-hit")) self.toggleGroup(hit.getAttribute("data-id"));
      else self.select(hit.getAttribute("data-id"));
    });
    this.world.addEventListener("pointerover", function (e) {
      var g = e.target.closest(".gg-edge");
      if (g) self.hoverEdge(g.getAttribute("data-id"), e);
    });
    this.world.addEventListener("pointermove", function (e) {
      if (!self.tip.hidden) self.placeTip(e);
    });
    this.world.addEventListener("pointerout", function (e) {
      if (e.target.closest(".gg-edge")) self.tip.hidden = true;
    });
  };

  Explorer.prototype.key = function (e) {
    var k = e.key;
    if (e.target && e.target.tagName === "INPUT" && e.target.type === "range" &&
        (k === "ArrowLeft" || k === "ArrowRight")) return; // the slider handles these
    var pan = 60, handled = true;
    if (e.shiftKey && k.indexOf("Arrow") === 0) {
      if (k === "ArrowLeft") this.view.x += pan;
      if (k === "ArrowRight") this.view.x -= pan;
      if (k === "ArrowUp") this.view.y += pan;
      if (k === "ArrowDown") this.view.y -= pan;
      this.apply();
    } else if (k === "ArrowRight") { this.stop(); this.show(this.at + 1); }
    else if (k === "ArrowLeft") { this.stop(); this.show(this.at - 1); }
    else if (k === "ArrowUp") { this.view.y += pan; this.apply(); }
    else if (k === "ArrowDown") { this.view.y -= pan; this.apply(); }
    else if (k === "Home") { this.stop(); this.show(0); }
    else if (k === "End") { this.stop(); this.show(this.m.steps.length - 1); }
    else if (k === " ") this.toggle();
    else if (k === "+" || k === "=") this.zoom(1.25);
    else if (k === "-" || k === "_") this.zoom(0.8);
    else if (k === "0" || k === "f") this.fit();
    else if ((k === "h" || k === "o") && this.m.has_backward) {
      this.cOverlay.checked = !this.cOverlay.checked;
      this.setOverlay(this.cOverlay.checked);
    } else if (k === "Escape") { this.home(); }
    else handled = false;
    if (handled) e.preventDefault();
  };

  // -- zoom and pan -------------------------------------------------------------------
  Explorer.prototype.apply = function () {
    var v = this.view;
    this.world.setAttribute("transform", "translate(" + v.x + "," + v.y + ") scale(" + v.k + ")");
    this.root.setAttribute("data-zoom", v.k.toFixed(3));
  };

  Explorer.prototype.zoom = function (factor, cx, cy) {
    var v = this.view, w = this.viewport.clientWidth, h = this.viewport.clientHeight;
    if (cx === undefined) { cx = w / 2; cy = h / 2; }
    var k = clamp(v.k * factor, 0.05, 6);
    v.x = cx - (cx - v.x) * k / v.k;
    v.y = cy - (cy - v.y) * k / v.k;
    v.k = k;
    this.apply();
  };

  // Fit the graph, but never below a legible font: a graph too big for that is shown
  // at the smallest legible size, its output end in view (where backward starts).
  Explorer.prototype.fit = function () {
    // The first fit uses the size the viewport had before the graph was drawn into it:
    // asking now would make the browser lay out the whole graph before the first frame.
    var size = this.emptySize || [this.viewport.clientWidth, this.viewport.clientHeight];
    this.emptySize = null;
    var m = this.m, w = size[0] || 800, h = size[1] || 500;
    var W = this.size.w, H = this.size.h;
    var pad = 24, gw = W + 2 * pad, gh = H + 2 * pad;
    var k = Math.min(w / gw, h / gh, MAX_FIT), least = MIN_FONT_PX / m.font;
    var v = this.view;
    if (k >= least) {
      v.k = k;
      v.x = (w - W * k) / 2;
      v.y = (h - H * k) / 2;
    } else {
      var out = this.pos[this.holder(m.root)];  // the output, or the shut group holding it
      v.k = least;
      v.x = Math.min(pad, w - pad - W * least);
      v.y = clamp(h / 2 - out.y * least, h - pad - H * least, pad);
      if (H * least < h) v.y = (h - H * least) / 2;
    }
    this.apply();
  };

  // -- steps ----------------------------------------------------------------------------
  Explorer.prototype.toggle = function () {
    if (this.timer) { this.stop(); return; }
    var self = this;
    if (this.at >= this.m.steps.length - 1) this.show(0);
    this.bPlay.textContent = "❚❚ pause";
    this.timer = setInterval(function () {
      if (self.at >= self.m.steps.length - 1) { self.stop(); return; }
      self.show(self.at + 1);
    }, PLAY_MS);
  };

  Explorer.prototype.stop = function () {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.bPlay.textContent = "► play";
  };

  // What is known after steps 0..at: which values are shown, each gradient's text.
  Explorer.prototype.state = function (at) {
    var shown = {}, grad = {}, final = {}, done = {}, all = false;
    for (var i = 0; i <= at; i++) {
      var s = this.m.steps[i];
      (s.shows || []).forEach(function (id) { shown[id] = true; });
      if (s.phase === "seed" || s.phase === "backward") all = true; // forward has finished
      (s.sets || []).forEach(function (x) { grad[x.node] = x.grad; final[x.node] = x.done; });
      if (s.gate && i < at) done[s.gate] = true;
    }
    if (all) this.m.nodes.forEach(function (n) { shown[n.id] = true; });
    return { shown: shown, grad: grad, final: final, done: done };
  };

  Explorer.prototype.show = function (at) {
    var m = this.m, n = m.steps.length;
    at = clamp(at, 0, n - 1);
    this.at = at;
    var s = m.steps[at], st = this.state(at), self = this;
    m.nodes.forEach(function (node) {
      var p = self.nodeEls[node.id];
      if (!p) return;  // not shown yet
      if (node.kind === "value") {
        // values opened behind a cut are not stepped: they show their final numbers
        var known = node.extra || st.shown[node.id];
        p.data.textContent = "data " + (known ? node.data : "?");
        if (p.grad) {
          var g = node.extra ? node.grad || undefined : st.grad[node.id];
          p.grad.textContent = "grad " + (g === undefined ? "?" : g);
          p.grad.classList.toggle("gg-partial", g !== undefined && !node.extra &&
                                  !st.final[node.id]);
        }
        p.g.classList.toggle("gg-pending", !known);
      }
      p.g.classList.toggle("gg-active", node.id === s.gate || node.id === s.node);
      p.g.classList.toggle("gg-done", !!st.done[node.id]);
    });
    var busy = {};  // a shut group holding the active gate is active too
    [s.gate, s.node].forEach(function (id) { if (id) busy[self.holder(id)] = true; });
    this.groups.forEach(function (g) {
      if (self.groupEls[g.id]) self.groupEls[g.id].box.classList.toggle("gg-active", !!busy[g.id]);
    });
    var active = {};
    (s.sets || []).forEach(function (x) { if (x.edge) active[x.edge] = x; });
    m.edges.forEach(function (e) {
      var on = !!active[e.id] || (s.gate && e.from === s.gate) ||
        (s.phase === "forward" && e.to === s.gate);
      if (self.edgeEls[e.id]) self.edgeEls[e.id].g.classList.toggle("gg-active", !!on);
    });
    this.drawLabels(active, s.gate);
    this.captionText.textContent = s.caption;
    this.shares.textContent = "";
    (s.sets || []).forEach(function (x) {
      if (x.text) self.shares.appendChild(el("li", null, x.text));
    });
    if (!m.has_backward && at === n - 1) {
      this.shares.appendChild(el("li", { class: "gg-hint" }, "No backward pass yet: call " +
        "root.backward() and explore again to step through the gradients."));
    }
    this.slider.value = String(at);
    this.count.textContent = "step " + at + " / " + (n - 1);
    this.bPrev.disabled = this.bFirst.disabled = at === 0;
    this.bNext.disabled = this.bLast.disabled = at === n - 1;
    var backward = s.phase === "seed" || s.phase === "backward";
    this.bFwd.classList.toggle("gg-on", !backward);
    this.bBwd.classList.toggle("gg-on", backward);
    this.root.setAttribute("data-step", String(at));
    this.root.setAttribute("data-phase", s.phase);
  };

  // The chain rule of the active gate, one line per input, in a callout above the gate
  // (edges into a gate are often shorter than the numbers written on them).
  Explorer.prototype.drawLabels = function (active, gateId) {
    var self = this, ids = Object.keys(active);
    this.labels.textContent = "";
    var hold = gateId && this.holder(gateId);  // the gate, or the shut group holding it
    if (!ids.length || !hold) return;
    var gate = this.byId[hold] || this.groupById[hold], at = this.pos[hold], line = this.m.line;
    var g = svg("g", { class: "gg-edge-label" });
    var top = at.y - gate.h / 2 - 10 - ids.length * line;
    ids.forEach(function (id, i) {
      var edge = self.edgeById[id], src = self.byId[edge.from];
      var who = src.label || (src.kind === "value" ? "input" : "");
      g.appendChild(svg("text", { x: at.x, y: top + (i + 0.8) * line },
                        (who ? who + ": " : "") + edge.rule));
    });
    this.labels.appendChild(g);
    var b = g.getBBox();
    g.insertBefore(svg("rect", { x: b.x - 6, y: b.y - 3, width: b.width + 12,
                                 height: b.height + 6, rx: 5 }), g.firstChild);
  };

  // The panel's methods live in explorer_panel.js, loaded first.
  var helpers = { el: el, svg: svg, clamp: clamp, heat: heat, pathOf: pathOf };
  window.GategradExplorerPanel(Explorer, helpers);
  window.GategradExplorerGroups(Explorer, helpers);

  function start() {
    var all = document.querySelectorAll(".gg-explorer:not([data-ready])");
    for (var i = 0; i < all.length; i++) {
      var x = new Explorer(all[i]);
      all[i].ggExplorer = x;
      if (document.body.classList.contains("gg-page")) all[i].focus();
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
