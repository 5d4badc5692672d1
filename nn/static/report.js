/* gategrad training report: draws the recorded run (JSON in #rp-data) as SVG charts,
 * an animated decision boundary and the graph snapshots (viz's explorer does those). */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = ["#1c4e9d", "#d1495b", "#2a9d8f", "#e9a03b", "#7b5ea7", "#5c6b73",
                "#8ab17d", "#b5651d"];
  var CLASS_RGB = [[66, 120, 200], [220, 90, 80], [60, 170, 110], [235, 170, 50],
                   [140, 100, 190], [100, 110, 120]];
  var data = JSON.parse(document.getElementById("rp-data").textContent);

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function fmt(v) {
    if (v === 0) return "0";
    var a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace("e+", "e");
    return String(+v.toPrecision(3));
  }

  function ticks(lo, hi, log) {
    var out = [], i;
    if (log) {
      for (i = Math.floor(lo); i <= Math.ceil(hi); i++) out.push(i);
      return out;
    }
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) || 1)));
    if ((hi - lo) / step < 3) step /= 2;
    if ((hi - lo) / step > 8) step *= 2;
    for (i = Math.ceil(lo / step) * step; i <= hi + 1e-12; i += step) out.push(+i.toPrecision(12));
    return out;
  }

  // series: [{name, xs, ys}], ys may hold nulls (gaps).
  function lineChart(box, series, opts) {
    var W = box.clientWidth || 560, H = opts.height || 260;
    var m = { l: 58, r: 14, t: 10, b: 34 };
    var log = !!opts.log, xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity;
    series.forEach(function (s) {
      s.xs.forEach(function (x, i) {
        var y = s.ys[i];
        if (y === null || y === undefined || (log && y <= 0)) return;
        y = log ? Math.log10(y) : y;
        xlo = Math.min(xlo, x); xhi = Math.max(xhi, x);
        ylo = Math.min(ylo, y); yhi = Math.max(yhi, y);
      });
    });
    if (xlo === Infinity) { box.textContent = "nothing recorded"; return; }
    if (opts.ymin !== undefined) ylo = Math.min(ylo, opts.ymin);
    if (opts.ymax !== undefined) yhi = Math.max(yhi, opts.ymax);
    if (yhi === ylo) { yhi += 0.5; ylo -= 0.5; }
    if (xhi === xlo) xhi = xlo + 1;
    var sx = function (x) { return m.l + (x - xlo) / (xhi - xlo) * (W - m.l - m.r); };
    var sy = function (y) { return m.t + (1 - (y - ylo) / (yhi - ylo)) * (H - m.t - m.b); };
    var s = svg("svg", { width: W, height: H, class: "rp-svg", role: "img",
                         "aria-label": opts.label || "chart" });
    ticks(ylo, yhi, log).forEach(function (t) {
      if (t < ylo - 1e-9 || t > yhi + 1e-9) return;
      s.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: sy(t), y2: sy(t), class: "rp-grid" }));
      s.appendChild(svg("text", { x: m.l - 6, y: sy(t) + 4, class: "rp-tick", "text-anchor": "end" },
                        log ? "1e" + t : fmt(t)));
    });
    ticks(xlo, xhi, false).filter(Number.isInteger).forEach(function (t) { // whole epochs
      s.appendChild(svg("text", { x: sx(t), y: H - m.b + 16, class: "rp-tick",
                                  "text-anchor": "middle" }, fmt(t)));
    });
    s.appendChild(svg("text", { x: (W + m.l) / 2, y: H - 4, class: "rp-axis",
                                "text-anchor": "middle" }, "epoch"));
    series.forEach(function (ser, k) {
      var d = "", pen = false;
      ser.xs.forEach(function (x, i) {
        var y = ser.ys[i];
        if (y === null || y === undefined || (log && y <= 0)) { pen = false; return; }
        d += (pen ? " L" : " M") + sx(x).toFixed(1) + "," + sy(log ? Math.log10(y) : y).toFixed(1);
        pen = true;
      });
      s.appendChild(svg("path", { d: d, class: "rp-line", stroke: COLORS[k % COLORS.length],
                                  "stroke-dasharray": ser.dashed ? "5 4" : "" }));
    });
    box.textContent = "";
    box.appendChild(s);
    var legend = document.createElement("div");
    legend.className = "rp-legend";
    series.forEach(function (ser, k) {
      var item = document.createElement("span");
      item.className = "rp-key";
      item.style.setProperty("--c", COLORS[k % COLORS.length]);
      item.textContent = ser.name;
      if (ser.dashed) item.classList.add("rp-dashed");
      legend.appendChild(item);
    });
    box.appendChild(legend);
  }

  function epochs(n) {
    var xs = [];
    for (var i = 1; i <= n; i++) xs.push(i);
    return xs;
  }

  function curves() {
    var h = data.history, xs = epochs(h.loss.length);
    var loss = [{ name: "train", xs: xs, ys: h.loss }];
    var acc = [{ name: "train", xs: xs, ys: h.accuracy }];
    if (h.val_loss) {
      loss.push({ name: "validation", xs: xs, ys: h.val_loss, dashed: true });
      acc.push({ name: "validation", xs: xs, ys: h.val_accuracy, dashed: true });
    }
    lineChart(document.getElementById("rp-loss"), loss, { label: "loss per epoch" });
    lineChart(document.getElementById("rp-acc"), acc, { label: "accuracy per epoch",
                                                        ymin: 0, ymax: 1 });
    var norms = Object.keys(data.norms).map(function (name) {
      return { name: name, xs: data.recorded, ys: data.norms[name] };
    });
    lineChart(document.getElementById("rp-norms"), norms, { log: true, height: 300,
                                                           label: "gradient norm per layer" });
  }

  function boundary() {
    var card = document.getElementById("rp-boundary-card"), b = data.boundary;
    if (!b) {
      card.querySelector("h2").textContent = "Decision boundary";
      card.appendChild(Object.assign(document.createElement("p"), {
        className: "rp-note", textContent: "The data has more than 2 features: no boundary " +
          "to draw (it is shown for 2-D data sets such as flower, moons, spiral)." }));
      card.querySelector(".rp-controls").hidden = true;
      card.querySelector("canvas").hidden = true;
      return;
    }
    var canvas = document.getElementById("rp-boundary"), ctx = canvas.getContext("2d");
    var slider = document.getElementById("rp-frame"), label = document.getElementById("rp-epoch");
    var play = document.getElementById("rp-play"), timer = null, n = b.frames.length;
    var G = b.grid, e = b.extent;
    slider.max = String(n - 1);
    // One pixel per grid cell on a small canvas, scaled up smoothly: no seams.
    var cells = document.createElement("canvas");
    cells.width = cells.height = G;
    var cctx = cells.getContext("2d"), img = cctx.createImageData(G, G);
    function draw(i) {
      var f = b.frames[i];
      for (var k = 0; k < f.length; k++) {
        var c = CLASS_RGB[parseInt(f[k], 36) % CLASS_RGB.length];
        for (var j = 0; j < 3; j++) img.data[4 * k + j] = Math.round(255 - 0.3 * (255 - c[j]));
        img.data[4 * k + 3] = 255;
      }
      cctx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(cells, 0, 0, canvas.width, canvas.height);
      b.points.forEach(function (p, j) {
        var c = CLASS_RGB[b.labels[j] % CLASS_RGB.length];
        var x = (p[0] - e[0]) / (e[1] - e[0]) * canvas.width;
        var y = (1 - (p[1] - e[2]) / (e[3] - e[2])) * canvas.height;
        ctx.beginPath();
        ctx.arc(x, y, 3.2, 0, 2 * Math.PI);
        ctx.fillStyle = "rgb(" + c.join(",") + ")";
        ctx.fill();
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = 0.8;
        ctx.stroke();
      });
      slider.value = String(i);
      var acc = data.history.accuracy[data.recorded[i] - 1];
      label.textContent = "epoch " + data.recorded[i] + " of " + data.epochs +
        (acc === undefined || acc === null ? "" : " · train accuracy " + (acc * 100).toFixed(1) + "%");
      document.body.setAttribute("data-frame", String(i));
    }
    function stop() { clearInterval(timer); timer = null; play.textContent = "► play"; }
    slider.oninput = function () { stop(); draw(+slider.value); };
    play.onclick = function () {
      if (timer) { stop(); return; }
      var i = +slider.value >= n - 1 ? 0 : +slider.value;
      play.textContent = "❚❚ pause";
      timer = setInterval(function () {
        draw(i);
        i += 1;
        if (i >= n) stop();
      }, 80);
    };
    draw(n - 1);
  }

  function snapshots() {
    var bar = document.getElementById("rp-snapshots");
    var shots = document.querySelectorAll(".rp-snapshot");
    if (!shots.length) {
      bar.textContent = data.notes.join(" ") || "No graph snapshots were recorded.";
      return;
    }
    bar.appendChild(document.createTextNode("epoch: "));
    shots.forEach(function (shot, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = shot.getAttribute("data-epoch");
      b.className = i === shots.length - 1 ? "rp-on" : "";
      b.onclick = function () {
        shots.forEach(function (s, j) { s.hidden = j !== i; });
        bar.querySelectorAll("button").forEach(function (x, j) {
          x.className = j === i ? "rp-on" : "";
        });
        var x = shot.querySelector(".gg-explorer");
        if (x && x.ggExplorer) x.ggExplorer.fit();
      };
      bar.appendChild(b);
    });
  }

  curves();
  boundary();
  snapshots();
  document.body.setAttribute("data-ready", "1");
})();
