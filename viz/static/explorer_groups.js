/* gategrad explorer: where each box and edge is drawn, and groups that open and shut in
 * the graph (a model's layers and neurons, the inputs behind a "… k more" stub). Loaded
 * after explorer_panel.js and before explorer.js, which calls
 * GategradExplorerGroups(Explorer, helpers).
 *
 * Every group has its own Graphviz layout (sw × sh), computed when the page was saved; a
 * shut group is one box (w × h) in its parent's layout. Opening a group grows its box to
 * its own layout plus a frame, and stretches its parent's layout around it: every x
 * between the box's left and right edges is stretched evenly, everything to the right
 * moves by the growth (and the same for y). The stretch only ever moves things apart,
 * so nothing overlaps whatever is open, and edges keep their Graphviz paths, stretched.
 * An edge from inside an open group to outside it is drawn as a plain curve.
 */
window.GategradExplorerGroups = function (Explorer, h) {
  "use strict";
  var svg = h.svg;

  function stretch(v, lo, hi, d) {
    if (v <= lo) return 0;
    if (v >= hi) return d;
    return (v - lo) / (hi - lo) * d;
  }

  // Boxes and edges are made when first shown (arrange): what shut groups hold, such as
  // the inputs saved behind a cut, costs nothing until it is opened.
  Explorer.prototype.drawEdges = function (arrowId) {
    this.edgeEls = {};
    this.arrowId = arrowId;
    this.edgeLayer = svg("g", { class: "gg-edges" });
    this.world.appendChild(this.edgeLayer);
  };

  Explorer.prototype.edgeEl = function (e) {
    if (this.edgeEls[e.id]) return this.edgeEls[e.id];
    var g = svg("g", { class: "gg-edge gg-edge-" + e.kind, "data-id": e.id });
    var line = svg("path", { class: "gg-line", "marker-end": "url(#" + this.arrowId + ")" });
    var hit = svg("path", { class: "gg-hit" });
    g.appendChild(line);
    g.appendChild(hit);
    this.edgeLayer.appendChild(g);
    this.edgeEls[e.id] = { g: g, line: line, hit: hit };
    return this.edgeEls[e.id];
  };

  Explorer.prototype.drawNodes = function () {
    this.nodeEls = {};
    this.nodeLayer = svg("g", { class: "gg-nodes" });
    this.world.appendChild(this.nodeLayer);
  };

  Explorer.prototype.nodeEl = function (n) {
    if (this.nodeEls[n.id]) return this.nodeEls[n.id];
    var m = this.m, font = m.font, line = m.line;
    var g = svg("g", { class: "gg-node gg-" + n.kind + (n.role ? " gg-role-" + n.role : "") +
                              (n.extra ? " gg-extra" : ""), "data-id": n.id, tabindex: "-1" });
    var parts = { g: g };
    if (n.kind === "value") {
      parts.box = svg("rect", { width: n.w, height: n.h, rx: 6, class: "gg-box" });
      g.appendChild(parts.box);
      var y = m.pad_y + font;
      var add = function (cls, text) {
        var t = svg("text", { x: m.pad_x, y: y, class: cls }, text);
        g.appendChild(t);
        y += line;
        return t;
      };
      if (n.label) add("gg-label", n.label);
      if (n.tensor) add("gg-shape", n.shape);
      parts.data = add("gg-data-row", "data " + n.data);
      if (n.needs_grad) parts.grad = add("gg-grad-row", "grad ?");
    } else if (n.kind === "gate") {
      parts.box = svg("ellipse", { cx: n.w / 2, cy: n.h / 2, rx: n.w / 2, ry: n.h / 2,
                                   class: "gg-box" });
      g.appendChild(parts.box);
      g.appendChild(svg("text", { x: n.w / 2, y: n.terms ? n.h / 2 - 2 : n.h / 2 + font * 0.35,
                                  class: "gg-symbol" }, n.symbol));
      if (n.terms) {
        g.appendChild(svg("text", { x: n.w / 2, y: n.h / 2 + font * 0.8, class: "gg-terms" },
                          n.terms + " terms"));
      }
    } else {
      g.appendChild(svg("text", { x: n.w / 2, y: n.h / 2 + font * 0.35, class: "gg-stub-text" },
                        n.text));
    }
    this.nodeLayer.appendChild(g);
    this.nodeEls[n.id] = parts;
    return parts;
  };

  Explorer.prototype.initGroups = function () {
    var self = this, m = this.m;
    this.groups = m.groups || [];
    this.groupById = {};
    this.kids = { "": [] };
    this.open = {};
    this.groups.forEach(function (g) {
      self.groupById[g.id] = g;
      self.kids[g.id] = [];
      if (g.open) self.open[g.id] = true;
    });
    m.nodes.forEach(function (n) { self.kids[n.scope || ""].push(n); });
    this.groups.forEach(function (g) { self.kids[g.parent || ""].push(g); });
    this.scopeOf = function (item) { return item.scope || item.parent || ""; };
  };

  // The outermost shut group holding item `id` (a node or a group), or `id` itself when
  // every group around it is open; null for an open group (it is a frame, not a box).
  Explorer.prototype.holder = function (id) {
    var item = this.byId[id] || this.groupById[id], out = id;
    if (this.groupById[id] && this.open[id]) out = null;
    var s = this.scopeOf(item);
    while (s) {
      if (!this.open[s]) out = s;
      s = this.groupById[s].parent || "";
    }
    return out;
  };

  // Where everything is with the groups open now: this.pos (centres of boxes in view),
  // this.frames (open groups), this.size (the whole graph).
  Explorer.prototype.place = function () {
    var self = this, m = this.m, pad = m.group_pad, head = m.group_head;
    var grown = {};
    function bands(scope) {
      return self.kids[scope].filter(function (g) {
        return self.groupById[g.id] === g && self.open[g.id];
      }).map(function (g) {
        var s = grownSize(g);
        return { x0: g.x - g.w / 2, x1: g.x + g.w / 2, y0: g.y - g.h / 2, y1: g.y + g.h / 2,
                 dx: s.w - g.w, dy: s.h - g.h };
      });
    }
    function mapper(scope) {
      var b = bands(scope);
      return function (x, y) {
        var X = x, Y = y;
        b.forEach(function (t) {
          X += stretch(x, t.x0, t.x1, t.dx);
          Y += stretch(y, t.y0, t.y1, t.dy);
        });
        return [X, Y];
      };
    }
    function grownSize(g) {
      if (!grown[g.id]) {
        var far = mapper(g.id)(g.sw, g.sh);
        grown[g.id] = { w: Math.max(far[0] + 2 * pad, g.w, g.tw), h: far[1] + 2 * pad + head };
      }
      return grown[g.id];
    }
    this.pos = {};
    this.frames = {};
    this.maps = {};
    function walk(scope, ox, oy) {
      var map = mapper(scope);
      self.maps[scope] = function (x, y) { var p = map(x, y); return [ox + p[0], oy + p[1]]; };
      self.kids[scope].forEach(function (item) {
        if (self.groupById[item.id] === item && self.open[item.id]) {
          var s = grownSize(item), tl = map(item.x - item.w / 2, item.y - item.h / 2);
          var f = { x: ox + tl[0], y: oy + tl[1], w: s.w, h: s.h };
          self.frames[item.id] = f;
          walk(item.id, f.x + pad, f.y + pad + head);
        } else {
          var c = map(item.x, item.y);
          self.pos[item.id] = { x: ox + c[0], y: oy + c[1] };
        }
      });
    }
    walk("", 0, 0);
    var end = mapper("")(m.width, m.height);
    this.size = { w: end[0], h: end[1] };
  };

  // Move every box, frame and edge to where `place` put it (making those shown for the
  // first time); hide what shut groups hold.
  Explorer.prototype.arrange = function () {
    var self = this;
    this.place();
    function hide(parts) {
      if (parts && parts.g.style.display !== "none") parts.g.style.display = "none";
    }
    this.m.nodes.forEach(function (n) {
      if (self.holder(n.id) !== n.id) { hide(self.nodeEls[n.id]); return; }
      var p = self.pos[n.id], parts = self.nodeEl(n);
      if (parts.g.style.display) parts.g.style.display = "";
      set(parts, "transform", "translate(" + (p.x - n.w / 2) + "," + (p.y - n.h / 2) + ")");
    });
    this.groups.forEach(function (g) {
      var box = self.holder(g.id) === g.id, f = self.frames[g.id];
      var parts = box || f ? self.groupEl(g) : self.groupEls[g.id];
      if (!parts) return;
      parts.box.style.display = box ? "" : "none";
      parts.frame.style.display = f ? "" : "none";
      if (box) {
        var p = self.pos[g.id];
        parts.box.setAttribute("transform",
                               "translate(" + (p.x - g.w / 2) + "," + (p.y - g.h / 2) + ")");
      }
      if (f) {
        parts.frame.setAttribute("transform", "translate(" + f.x + "," + f.y + ")");
        parts.rect.setAttribute("width", f.w);
        parts.rect.setAttribute("height", f.h);
        parts.bar.setAttribute("width", f.w);
      }
    });
    this.m.edges.forEach(function (e) {
      var d = self.edgePath(e);
      if (!d) { hide(self.edgeEls[e.id]); return; }
      var parts = self.edgeEl(e);
      if (parts.g.style.display) parts.g.style.display = "";
      if (parts.d !== d) {  // only what moved is touched: the rest stays as drawn
        parts.d = d;
        parts.line.setAttribute("d", d);
        parts.hit.setAttribute("d", d);
      }
    });
    this.root.setAttribute("data-open", Object.keys(this.open).filter(function (k) {
      return self.open[k];
    }).sort().join(" "));
  };

  function set(parts, name, value) {
    if (parts[name] === value) return;
    parts[name] = value;
    parts.g.setAttribute(name, value);
  }

  // After a group opened or shut: move things, show the step, keep the overlay.
  Explorer.prototype.refresh = function () {
    this.arrange();
    this.show(this.at);
    if (this.overlay) this.paint(true);
  };

  function itemOf(self, id) { return self.byId[id] || self.groupById[id]; }

  // The edge's path now, or "" when it is hidden (inside a shut group, or from an open
  // stub group, whose inputs now carry their own edges).
  Explorer.prototype.edgePath = function (e) {
    // a term of a folded sum goes to the + that took it while its chain is open
    var to = e.open_to && this.byId[e.open_to] && this.holder(e.open_to) === e.open_to ?
      e.open_to : e.to;
    var a = this.holder(e.from), b = this.holder(to);
    if (a === null || b === null || a === b) return "";
    var A = itemOf(this, a), B = itemOf(this, b), pa = this.pos[a], pb = this.pos[b];
    var sc = e.sc || "";
    if (to === e.to && this.scopeOf(A) === sc && this.scopeOf(B) === sc && e.pts.length) {
      // Graphviz's path, moved with the boxes; the ends stay on their boxes. A path that
      // crosses a stretched band would bend: it becomes a plain curve instead.
      var map = this.maps[sc], n = e.pts.length, first = e.pts[0], last = e.pts[n - 1];
      var a0 = [pa.x + first[0] - A.x, pa.y + first[1] - A.y];
      var b0 = [pb.x + last[0] - B.x, pb.y + last[1] - B.y];
      var moved = e.pts.map(function (p) { return map(p[0], p[1]); });
      var dx0 = moved[0][0] - first[0], dy0 = moved[0][1] - first[1];
      var rigid = e.pts.every(function (p, i) {
        return Math.abs(moved[i][0] - p[0] - dx0) < 0.5 && Math.abs(moved[i][1] - p[1] - dy0) < 0.5;
      });
      if (rigid) {
        moved[0] = a0;
        moved[n - 1] = b0;
        return h.pathOf(moved);
      }
      return curve(a0[0], a0[1], b0[0], b0[1]);
    }
    return curve(pa.x + A.w / 2, pa.y, pb.x - B.w / 2, pb.y);
  };

  function curve(x0, y0, x1, y1) {
    var dx = Math.max(30, Math.abs(x1 - x0) / 2);
    return "M" + x0 + "," + y0 + " C" + (x0 + dx) + "," + y0 + " " + (x1 - dx) + "," + y1 +
      " " + x1 + "," + y1;
  }

  Explorer.prototype.groupEl = function (g) {
    if (this.groupEls[g.id]) return this.groupEls[g.id];
    var m = this.m, font = m.font, more = g.kind === "more";
    var frame = svg("g", { class: "gg-frame gg-frame-" + g.kind, "data-id": g.id });
    var rect = svg("rect", { rx: 8, class: "gg-frame-box" });
    var bar = svg("rect", { height: m.group_head, rx: 8, class: "gg-frame-bar gg-group-hit",
                            "data-id": g.id });
    frame.appendChild(rect);
    frame.appendChild(bar);
    frame.appendChild(svg("text", { x: 8, y: m.group_head / 2 + font * 0.35,
                                    class: "gg-frame-title gg-group-hit", "data-id": g.id },
                          "▾ " + g.title));
    this.frameLayer.appendChild(frame);
    var box = svg("g", { class: "gg-node gg-groupbox gg-groupbox-" + g.kind + " gg-group-hit",
                         "data-id": g.id, tabindex: "-1" });
    var b = svg("rect", { width: g.w, height: g.h, rx: 6, class: "gg-box" });
    box.appendChild(b);
    if (more) {
      box.appendChild(svg("text", { x: g.w / 2, y: g.h / 2 + font * 0.35, class: "gg-stub-text" },
                          g.text));
    } else if (g.kind === "chain") {  // drawn as the gate it folds, with a ▸ to open it
      box.removeChild(b);
      b = svg("ellipse", { cx: g.w / 2, cy: g.h / 2, rx: g.w / 2, ry: g.h / 2, class: "gg-box" });
      box.appendChild(b);
      box.appendChild(svg("text", { x: g.w / 2, y: g.h / 2 - 2, class: "gg-symbol" }, g.symbol));
      box.appendChild(svg("text", { x: g.w / 2, y: g.h / 2 + font * 0.8, class: "gg-terms" },
                          "▸ " + (g.terms ? g.terms + " terms" : "open")));
    } else {
      box.appendChild(svg("text", { x: m.pad_x, y: m.pad_y + font, class: "gg-label" },
                          "▸ " + g.name));
      box.appendChild(svg("text", { x: m.pad_x, y: m.pad_y + font + m.line, class: "gg-sub" },
                          g.sub));
    }
    box.appendChild(svg("title", null, more ? "click: open the inputs the cut left out"
      : g.kind === "chain" ? "click: open the partial sums" : "click: open " + g.name));
    this.nodeLayer.appendChild(box);
    this.groupEls[g.id] = { frame: frame, rect: rect, bar: bar, box: box, b: b, g: box };
    return this.groupEls[g.id];
  };

  // Open or shut group `id` in the graph, keeping its top-left corner where it is on
  // screen (the eye stays on what was clicked).
  Explorer.prototype.toggleGroup = function (id, open) {
    var was = this.frames[id] || this.pos[id], g = this.groupById[id];
    var before = this.frames[id] ? [was.x, was.y] : [was.x - g.w / 2, was.y - g.h / 2];
    this.open[id] = open === undefined ? !this.open[id] : open;
    this.refresh();
    var now = this.frames[id] || this.pos[id];
    var after = this.frames[id] ? [now.x, now.y] : [now.x - g.w / 2, now.y - g.h / 2];
    this.view.x += (before[0] - after[0]) * this.view.k;
    this.view.y += (before[1] - after[1]) * this.view.k;
    this.apply();
    this.select(id);
    this.root.focus({ preventScroll: true });  // the keys keep working (the box is gone)
  };

  Explorer.prototype.setAllGroups = function (open) {
    var self = this;
    this.groups.forEach(function (g) { if (g.kind === "module") self.open[g.id] = open; });
    this.refresh();
    this.fit();
  };

  // Open every group around node `id`, so that it can be shown.
  Explorer.prototype.reveal = function (id) {
    var item = itemOf(this, id), s = this.scopeOf(item), changed = false;
    while (s) {
      if (!this.open[s]) { this.open[s] = true; changed = true; }
      s = this.groupById[s].parent || "";
    }
    if (changed) this.refresh();
  };

  // Everything inside group `id` (nodes), for the overlay and the panel.
  Explorer.prototype.inside = function (id) {
    var self = this, out = [];
    this.kids[id].forEach(function (item) {
      if (self.groupById[item.id] === item) out = out.concat(self.inside(item.id));
      else out.push(item);
    });
    return out;
  };
};
