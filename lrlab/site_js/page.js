// page.js: the explorers of a lesson page, computed and drawn in the page.
//
// Each <section class="lrlab-live"> holds an explorer as data (lrlab.site_data.explorer_spec). This file
// builds its controls (the lr slider on its log scale with the theory marks under it, the explorer's other
// controls, the presets), computes every frame with explorers.js (lrlab's numbers: tests/js) and draws the
// panels in SVG from the same numbers. Every change updates the slider's aria-valuetext ("learning rate
// 0.2, converging"), the text description of the figure, a polite live region when the regime changes,
// and the page's address (#lr=0.2&kappa=20; the second explorer of a page uses lr2, kappa2, ...).

import { PALETTE, REGIME_COLORS, convergenceRate, escapeHtml, gap, geomspace, linspace, pathShape, pyFormat, sliderValue, snapIndex } from "./lrlab.js";
import { controlGrid, lrValueText, makeExplorer, rateGrid, revive } from "./explorers.js";

const SVGNS = "http://www.w3.org/2000/svg";
const W = 360, H = 272;
let uid = 0;

function svgEl(tag, attrs = {}, parent = null, text = null) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, String(v));
  if (text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
function htmlEl(tag, attrs = {}, parent = null, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v; else e.setAttribute(k, v === true ? "" : String(v));
  }
  if (text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// --------------------------------------------------------------------------- axes in SVG

const SUP = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
const decade = (k) => (k === 0 ? "1" : k === 1 ? "10" : "10" + String(k).split("").map((c) => SUP[c]).join(""));

function niceStep(span, n) {
  const raw = span / n, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

/** One plot: scales, frame, ticks, labels, a clip for the data. */
class Axes {
  constructor(svg, { xlog = false, ylog = false, xlim, ylim, title = "", xlabel = "", ylabel = "", equal = false,
    left = 58, right = 14, top = 30, bottom = 44 }) {
    this.svg = svg;
    Object.assign(this, { xlog, ylog, xlim, ylim });
    let x0 = left, x1 = W - right, y0 = top, y1 = H - bottom;
    if (equal) {                                   // equal scales: a square window keeps a round bowl round
      const sx = (x1 - x0) / (xlim[1] - xlim[0]), sy = (y1 - y0) / (ylim[1] - ylim[0]), s = Math.min(sx, sy);
      const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, hw = (s * (xlim[1] - xlim[0])) / 2, hh = (s * (ylim[1] - ylim[0])) / 2;
      [x0, x1, y0, y1] = [cx - hw, cx + hw, cy - hh, cy + hh];
    }
    Object.assign(this, { px0: x0, px1: x1, py0: y0, py1: y1 });
    this.clipId = `lx-clip-${++uid}`;
    const defs = svgEl("defs", {}, svg);
    svgEl("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, svgEl("clipPath", { id: this.clipId }, defs));
    this.back = svgEl("g", {}, svg);                    // grid, static data
    this.data = svgEl("g", { "clip-path": `url(#${this.clipId})` }, svg);
    this.dyn = svgEl("g", { "clip-path": `url(#${this.clipId})` }, svg);
    this.front = svgEl("g", {}, svg);
    this.frame(title, xlabel, ylabel);
  }
  tx(v) { const [a, b] = this.xlim; const t = this.xlog ? (Math.log10(v) - Math.log10(a)) / (Math.log10(b) - Math.log10(a)) : (v - a) / (b - a); return this.px0 + t * (this.px1 - this.px0); }
  ty(v) { const [a, b] = this.ylim; const t = this.ylog ? (Math.log10(v) - Math.log10(a)) / (Math.log10(b) - Math.log10(a)) : (v - a) / (b - a); return this.py1 - t * (this.py1 - this.py0); }
  ok(x, y) { return Number.isFinite(x) && Number.isFinite(y) && (!this.xlog || x > 0) && (!this.ylog || y > 0); }
  /** An SVG path through the points, broken where a value is missing (NaN, inf, <= 0 on a log axis). */
  pathD(xs, ys) {
    let d = "", pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (!this.ok(xs[i], ys[i])) { pen = false; continue; }
      const X = this.tx(xs[i]), Y = Math.max(-1e4, Math.min(1e4, this.ty(ys[i])));
      d += (pen ? "L" : "M") + X.toFixed(1) + " " + Y.toFixed(1);
      pen = true;
    }
    return d || "M0 0";
  }
  /** Round markers of radius r at the points, as one path. */
  dotsD(xs, ys, r) {
    let d = "";
    for (let i = 0; i < xs.length; i++) {
      if (!this.ok(xs[i], ys[i])) continue;
      const X = this.tx(xs[i]), Y = this.ty(ys[i]);
      if (Math.abs(X) > 1e4 || Math.abs(Y) > 1e4) continue;
      d += `M${(X - r).toFixed(1)} ${Y.toFixed(1)}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
    }
    return d || "M0 0";
  }
  ticks(log, [a, b]) {
    if (log) {
      const lo = Math.ceil(Math.log10(a) - 1e-9), hi = Math.floor(Math.log10(b) + 1e-9);
      const every = Math.max(1, Math.ceil((hi - lo + 1) / 6));
      const out = [];
      for (let k = lo; k <= hi; k++) if ((k - lo) % every === 0) out.push([Math.pow(10, k), decade(k)]);
      return out;
    }
    const step = niceStep(b - a, 4), out = [];
    for (let v = Math.ceil(a / step - 1e-9) * step; v <= b + step * 1e-9; v += step) {
      const r = Math.abs(v) < step * 1e-9 ? 0 : v;
      out.push([r, pyFormat(parseFloat(r.toPrecision(6)), "g").replace("-", "−")]);
    }
    return out;
  }
  frame(title, xlabel, ylabel) {
    const { px0, px1, py0, py1 } = this;
    const grid = svgEl("g", { stroke: "#000", "stroke-opacity": 0.12, "stroke-width": 1 }, this.back);
    const labels = svgEl("g", { "font-size": 11, fill: "#222" }, this.front);
    for (const [v, s] of this.ticks(this.xlog, this.xlim)) {
      const X = this.tx(v);
      svgEl("line", { x1: X, x2: X, y1: py0, y2: py1 }, grid);
      svgEl("line", { x1: X, x2: X, y1: py1, y2: py1 + 4, stroke: "#333" }, this.front);
      svgEl("text", { x: X, y: py1 + 15, "text-anchor": "middle" }, labels, s);
    }
    for (const [v, s] of this.ticks(this.ylog, this.ylim)) {
      const Y = this.ty(v);
      svgEl("line", { x1: px0, x2: px1, y1: Y, y2: Y }, grid);
      svgEl("line", { x1: px0 - 4, x2: px0, y1: Y, y2: Y, stroke: "#333" }, this.front);
      svgEl("text", { x: px0 - 6, y: Y + 4, "text-anchor": "end" }, labels, s);
    }
    svgEl("path", { d: `M${px0} ${py0}V${py1}H${px1}`, fill: "none", stroke: "#333", "stroke-width": 1 }, this.front);
    if (xlabel) svgEl("text", { x: (px0 + px1) / 2, y: H - 8, "text-anchor": "middle", "font-size": 12 }, this.front, xlabel);
    if (ylabel) svgEl("text", { x: 13, y: (py0 + py1) / 2, "text-anchor": "middle", "font-size": 12, transform: `rotate(-90 13 ${(py0 + py1) / 2})` }, this.front, ylabel);
    this.titleEl = svgEl("text", { x: W / 2, y: 17, "text-anchor": "middle", "font-size": 13, "font-weight": "bold" }, this.front);
    this.setTitle(title);
  }
  setTitle(t) {
    this.titleEl.textContent = t;
    // keep a long title whole: a smaller font (about 0.58 em per character), never wider than the panel
    const size = Math.min(13, (W - 12) / (0.58 * Math.max(1, t.length)));
    this.titleEl.setAttribute("font-size", size.toFixed(1));
  }
  vline(x, attrs, label = null, g = this.data) {
    if (!(x > this.xlim[0] && x < this.xlim[1])) return;
    const X = this.tx(x);
    svgEl("line", { x1: X, x2: X, y1: this.py0, y2: this.py1, ...attrs }, g);
    if (label) {
      // a label left of its line (right of it near the left edge), one row lower if it would touch the last one
      const left = X - this.px0 >= 40;
      const row = this.lastLabelX !== undefined && Math.abs(X - this.lastLabelX) < 40 ? (this.lastRow || 0) + 1 : 0;
      svgEl("text", { x: left ? X - 2 : X + 2, y: this.py0 + 12 + 13 * row, "text-anchor": left ? "end" : "start", "font-size": 10.5,
        "font-weight": "bold", fill: attrs.stroke, stroke: "#fff", "stroke-width": 3, "paint-order": "stroke" }, this.front, label);
      this.lastLabelX = X; this.lastRow = row;
    }
  }
}

// --------------------------------------------------------------------------- panels

function regimeColor(regime) { return REGIME_COLORS[regime] || PALETTE.blue; }

function arrowMarker(svg, color) {
  const id = `lx-arrow-${++uid}`;
  const m = svgEl("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse", markerUnits: "userSpaceOnUse" }, svgEl("defs", {}, svg));
  const p = svgEl("path", { d: "M0 0L10 5L0 10z", fill: color }, m);
  return { id, path: p };
}

/** plotting._clip_steps: a step that leaves the view is cut at its edge (the view shrunk by 1.5%). */
function clipStep(ax, x, f, u, v) {
  let [x0, x1] = ax.xlim, [y0, y1] = ax.ylim;
  const dx = 0.015 * (x1 - x0), dy = 0.015 * (y1 - y0);
  x0 += dx; x1 -= dx; y0 += dy; y1 -= dy;
  const inside = x >= x0 && x <= x1 && f >= y0 && f <= y1;
  if (!inside) return [u, v];
  const tx = u > 0 ? (x1 - x) / u : u < 0 ? (x0 - x) / u : Infinity;
  const ty = v > 0 ? (y1 - f) / v : v < 0 ? (y0 - f) / v : Infinity;
  const t = Math.min(1, Math.max(0, Math.min(tx, ty)));
  return [u * t, v * t];
}

/** lrlab.panels.PathPanel: the stride picture on a 1-D loss, or the path on the contours of a 2-D one. */
/** What a panel's static part depends on: it is redrawn only when this changes (a new loss, not a new title). */
const sceneKey = (view, withStepper = false) => JSON.stringify([view.scene.spec.loss, view.scene.x0, view.scene.numSteps,
  view.scene.tol, withStepper ? view.scene.spec.stepper : null]);

class PathPanel {
  constructor(fig, spec) { this.fig = fig; this.spec = spec; }
  key(view) { return sceneKey(view); }
  draw(view) {
    const sc = view.scene, loss = sc.loss, svg = this.fig.svg;
    svg.replaceChildren();
    const title = this.spec.title || sc.title || "the path";
    if (sc.x0.length === 1) {
      const [lo, hi] = loss.bounds[0];
      const xs300 = linspace(lo, hi, 300), v300 = Array.from(xs300, (x) => loss.value([x]));
      const vmin = Math.min(...v300), vmax = Math.max(...v300), ptp = vmax - vmin;
      this.ax = new Axes(svg, { xlim: [lo, hi], ylim: [vmin - 0.08 * ptp, vmax + 0.08 * ptp], title, xlabel: "w", ylabel: "loss" });
      const xs = linspace(lo, hi, 600);
      svgEl("path", { d: this.ax.pathD(xs, Array.from(xs, (x) => loss.value([x]))), fill: "none", stroke: PALETTE.grey, "stroke-width": 2 }, this.ax.data);
      this.points = svgEl("path", { fill: PALETTE.blue, "fill-opacity": 0.8 }, this.ax.dyn);
      this.marker = arrowMarker(svg, PALETTE.blue);
      this.arrows = svgEl("path", { fill: "none", stroke: PALETTE.blue, "stroke-width": 2, "marker-end": `url(#${this.marker.id})` }, this.ax.dyn);
      this.arrowGroup = svgEl("g", {}, this.ax.dyn);
      this.start = svgEl("path", { fill: PALETTE.black }, this.ax.dyn);
      this.dim = 1;
    } else {
      const b = loss.bounds;
      this.ax = new Axes(svg, { xlim: b[0], ylim: b[1], title, xlabel: "w₁", ylabel: "w₂", equal: this.spec.equal_aspect });
      drawContours(this.ax, loss);
      this.line = svgEl("path", { fill: "none", "stroke-width": 1.6, "stroke-linejoin": "round" }, this.ax.dyn);
      this.dots = svgEl("path", {}, this.ax.dyn);
      this.marker = arrowMarker(svg, PALETTE.vermillion);
      this.exit = svgEl("path", { fill: "none", "stroke-width": 1.6 }, this.ax.front);
      this.dim = 2;
    }
  }
  update(view) {
    const traj = view.runs[this.spec.run], ax = this.ax;
    const title = this.spec.title || view.scene.title || "the path";
    if (ax.titleEl.textContent !== title) ax.setTitle(title);
    if (this.dim === 1) {
      const xs = [], fs = [];
      for (let t = 0; t < traj.params.length; t++) {
        const x = traj.params[t][0], f = traj.loss[t];
        if (Number.isFinite(x) && Number.isFinite(f)) { xs.push(x); fs.push(f); }
      }
      this.points.setAttribute("d", ax.dotsD(xs, fs, 3));
      this.start.setAttribute("d", ax.dotsD(xs.slice(0, 1), fs.slice(0, 1), 4.5));
      // one arrow per step, at most 15 (plotting.path_1d), each cut at the view's edge
      this.arrowGroup.replaceChildren();
      const m = Math.min(15, Math.max(xs.length - 1, 0));
      for (let i = 0; i < m; i++) {
        const [u, v] = clipStep(ax, xs[i], fs[i], xs[i + 1] - xs[i], fs[i + 1] - fs[i]);
        const X0 = ax.tx(xs[i]), Y0 = ax.ty(fs[i]), X1 = ax.tx(xs[i] + u), Y1 = ax.ty(fs[i] + v);
        if (Math.hypot(X1 - X0, Y1 - Y0) < 1.5 || ![X0, Y0, X1, Y1].every((q) => Math.abs(q) < 1e4)) continue;
        svgEl("path", { d: `M${X0.toFixed(1)} ${Y0.toFixed(1)}L${X1.toFixed(1)} ${Y1.toFixed(1)}`, stroke: PALETTE.blue, "stroke-width": 1.8,
          fill: "none", "marker-end": `url(#${this.marker.id})` }, this.arrowGroup);
      }
      return;
    }
    const color = regimeColor(view.regime);
    let pts = traj.params.map((p) => [p[0], p[1]]).filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
    let exit = null;
    if (view.regime === "divergence" || view.regime === "diverging" || pathShape(traj) === "diverging") {
      // plotting.update_path_2d: cut where the path leaves the view
      const [x0, x1] = ax.xlim, [y0, y1] = ax.ylim, dx = 0.01 * (x1 - x0), dy = 0.01 * (y1 - y0);
      const inside = (p) => p[0] >= x0 + dx && p[0] <= x1 - dx && p[1] >= y0 + dy && p[1] <= y1 - dy;
      const k = pts.findIndex((p) => !inside(p));
      if (k >= 1) {
        const a = pts[k - 1], b = pts[k];
        let t = 1;
        for (const [i, lo, hi] of [[0, x0 + dx, x1 - dx], [1, y0 + dy, y1 - dy]]) {
          const d = b[i] - a[i];
          if (d > 0) t = Math.min(t, (hi - a[i]) / d); else if (d < 0) t = Math.min(t, (lo - a[i]) / d);
        }
        exit = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        pts = pts.slice(0, k);
      }
    }
    const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
    this.line.setAttribute("d", ax.pathD(exit ? [...xs, exit[0]] : xs, exit ? [...ys, exit[1]] : ys));
    this.line.setAttribute("stroke", color);
    this.dots.setAttribute("d", ax.dotsD(xs, ys, 2.2));
    this.dots.setAttribute("fill", color);
    if (exit) {
      const a = pts[pts.length - 1];
      this.exit.setAttribute("d", `M${ax.tx((a[0] + exit[0]) / 2).toFixed(1)} ${ax.ty((a[1] + exit[1]) / 2).toFixed(1)}L${ax.tx(exit[0]).toFixed(1)} ${ax.ty(exit[1]).toFixed(1)}`);
      this.exit.setAttribute("stroke", color);
      this.marker.path.setAttribute("fill", color);
      this.exit.setAttribute("marker-end", `url(#${this.marker.id})`);
    } else this.exit.setAttribute("d", "M0 0");
  }
}

/** Filled contours of a quadratic bowl: ellipses at 18 log-spaced levels (plotting.contour's). */
function drawContours(ax, loss) {
  const [[a, b], [c, d]] = loss.bounds;
  if (loss.kind !== "quadratic") return;
  const A = loss.matrix, ctr = loss.center;
  const z = (x, y) => loss.valueAndGrad([x, y])[0] - (loss.min_value || 0);
  const Z = [];
  for (const x of linspace(a, b, 40)) for (const y of linspace(c, d, 40)) Z.push(z(x, y));
  Z.sort((p, q) => p - q);
  const zmax = Z[Z.length - 1];
  const lo = Math.max(Z[Math.floor(0.01 * (Z.length - 1))], 1e-6 * zmax, 1e-12);
  const levels = geomspace(lo, zmax, 18);
  // the eigenvectors of the 2x2 Hessian: the ellipses' axes
  const p = A[0][0], q = A[0][1], r = A[1][1];
  const tr = p + r, det = p * r - q * q, disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  const l1 = tr / 2 + disc, l2 = tr / 2 - disc;
  const ang = Math.abs(q) < 1e-300 ? (p >= r ? 0 : Math.PI / 2) : Math.atan2(l1 - p, q);
  const sx = (ax.px1 - ax.px0) / (b - a), sy = (ax.py1 - ax.py0) / (d - c);
  const shade = (lvl) => {                                 // Greys_r under LogNorm(lo, zmax), alpha 0.75 on white
    const t = Math.max(0, Math.min(1, Math.log(lvl / lo) / Math.log(zmax / lo)));
    const g = Math.round(255 * (0.25 + 0.75 * (0.05 + 0.95 * t)));
    return `rgb(${g},${g},${g})`;
  };
  svgEl("rect", { x: ax.px0, y: ax.py0, width: ax.px1 - ax.px0, height: ax.py1 - ax.py0, fill: shade(zmax) }, ax.data);
  for (let i = levels.length - 1; i >= 0; i--) {
    const lvl = levels[i];
    const ra = l1 > 0 ? Math.sqrt((2 * lvl) / l1) : 1e6, rb = l2 > 0 ? Math.sqrt((2 * lvl) / l2) : 1e6;
    // an ellipse in data coordinates, drawn as a path of 96 points (the axes may scale x and y differently)
    let dpath = "";
    for (let k = 0; k <= 96; k++) {
      const th = (2 * Math.PI * k) / 96;
      const u = ra * Math.cos(th), v = rb * Math.sin(th);
      const x = ctr[0] + u * Math.cos(ang) - v * Math.sin(ang), y = ctr[1] + u * Math.sin(ang) + v * Math.cos(ang);
      const X = ax.px0 + (x - a) * sx, Y = ax.py1 - (y - c) * sy;
      dpath += (k ? "L" : "M") + Math.max(-1e4, Math.min(1e4, X)).toFixed(1) + " " + Math.max(-1e4, Math.min(1e4, Y)).toFixed(1);
    }
    svgEl("path", { d: dpath + "Z", fill: shade(i > 0 ? levels[i - 1] : lo * 0.5), stroke: "#fff", "stroke-opacity": 0.6, "stroke-width": 0.5 }, ax.data);
  }
  if (loss.minimizer) {
    const X = ax.tx(loss.minimizer[0]), Y = ax.ty(loss.minimizer[1]);
    svgEl("path", { d: starD(X, Y, 8), fill: PALETTE.black }, ax.data);
  }
}

function starD(X, Y, r) {
  let d = "";
  for (let k = 0; k < 10; k++) {
    const a = -Math.PI / 2 + (k * Math.PI) / 5, rr = k % 2 ? r * 0.45 : r;
    d += (k ? "L" : "M") + (X + rr * Math.cos(a)).toFixed(1) + " " + (Y + rr * Math.sin(a)).toFixed(1);
  }
  return d + "Z";
}

/** lrlab.panels.LossPanel: the loss gap against step, log scale, coloured by the regime, the tolerance dashed. */
class LossPanel {
  constructor(fig, spec) { this.fig = fig; this.spec = spec; }
  key(view) { return sceneKey(view); }
  draw(view) {
    const sc = view.scene, traj = view.runs[this.spec.run], g0 = gap(traj)[0];
    this.fig.svg.replaceChildren();
    const ylim = this.spec.ylim || [Math.max(g0 * 1e-14, 1e-300), g0 * 1e4];
    this.ax = new Axes(this.fig.svg, { ylog: true, xlim: [0, sc.numSteps], ylim, title: "loss, log scale", xlabel: "step",
      ylabel: traj.lossMin !== null ? "loss − min" : "loss" });
    const Y = this.ax.ty(sc.tol * g0);
    if (Number.isFinite(Y)) svgEl("line", { x1: this.ax.px0, x2: this.ax.px1, y1: Y, y2: Y, stroke: PALETTE.grey, "stroke-dasharray": "5 4", "stroke-width": 1 }, this.ax.data);
    this.line = svgEl("path", { fill: "none", "stroke-width": 2, "stroke-linejoin": "round" }, this.ax.dyn);
  }
  update(view) {
    const g = gap(view.runs[this.spec.run]);
    this.line.setAttribute("d", this.ax.pathD(g.map((_, t) => t), Array.from(g)));
    this.line.setAttribute("stroke", REGIME_COLORS[view.regime] || PALETTE.grey);
  }
}

/** lrlab.panels.MapPanel: the final loss gap against lr for every lr of the slider, theory lines, the lr. */
class MapPanel {
  constructor(fig, spec) { this.fig = fig; this.spec = spec; }
  key(view) { return sceneKey(view, true); }
  draw(view) {
    const { lrs, final } = view.map, sc = view.scene;
    this.fig.svg.replaceChildren();
    let top = 1.0, bottom = 1e-18, any = false, hi = -Infinity, lo = Infinity;
    for (const v of final) if (Number.isFinite(v) && v > 0) { any = true; hi = Math.max(hi, v); lo = Math.min(lo, v); }
    if (any) { top = hi * 10; bottom = Math.max(lo / 10, 1e-18); }
    this.top = top; this.bottom = bottom;
    const ax = this.ax = new Axes(this.fig.svg, { xlog: true, ylog: true, xlim: [lrs[0], lrs[lrs.length - 1]], ylim: [bottom, top * 1.5],
      title: "every lr at once", xlabel: "learning rate", ylabel: `loss − min after ${sc.numSteps} steps` });
    const ys = Array.from(final, (v) => (Number.isFinite(v) && v > 0 ? Math.min(Math.max(v, bottom), top) : NaN));
    svgEl("path", { d: ax.pathD(Array.from(lrs), ys), fill: "none", stroke: PALETTE.blue, "stroke-width": 2 }, ax.data);
    let ticks = "";
    lrs.forEach((lr, i) => { if (!Number.isFinite(final[i])) { const X = ax.tx(lr); ticks += `M${X.toFixed(1)} ${(ax.ty(top) - 5).toFixed(1)}v10`; } });
    if (ticks) svgEl("path", { d: ticks, stroke: REGIME_COLORS.diverging, "stroke-width": 1.2 }, ax.data);
    for (const m of view.mapMarks) ax.vline(m.lr, { stroke: m.color, "stroke-width": 2, "stroke-dasharray": "2 3" }, m.label);
    this.vline = svgEl("line", { stroke: PALETTE.black, "stroke-width": 1.5, "stroke-opacity": 0.7, y1: ax.py0, y2: ax.py1 }, ax.dyn);
    this.dot = svgEl("circle", { r: 5, fill: PALETTE.black }, ax.dyn);
  }
  update(view) {
    const { lrs, final } = view.map, ax = this.ax;
    let i = 0, best = Infinity;
    const l = Math.log(view.lr);
    for (let k = 0; k < lrs.length; k++) { const e = Math.abs(Math.log(lrs[k]) - l); if (e < best) { best = e; i = k; } }
    const y = Number.isFinite(final[i]) ? Math.min(Math.max(final[i], this.bottom), this.top) : this.top;
    const X = ax.tx(view.lr);
    this.vline.setAttribute("x1", X); this.vline.setAttribute("x2", X);
    this.dot.setAttribute("cx", X); this.dot.setAttribute("cy", ax.ty(y));
  }
}

/** lessons.momentum.RatePanel: the (lr, beta) plane coloured by the steps per decade. */
const VIRIDIS = ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725"];
function viridisR(t) {                                   // viridis reversed: few steps yellow, many purple
  const s = Math.max(0, Math.min(1, 1 - t)) * (VIRIDIS.length - 1), k = Math.min(VIRIDIS.length - 2, Math.floor(s)), f = s - k;
  const a = VIRIDIS[k], b = VIRIDIS[k + 1];
  const ch = (h, o) => parseInt(h.slice(o, o + 2), 16);
  return [1, 3, 5].map((o) => Math.round(ch(a, o) + f * (ch(b, o) - ch(a, o))));
}
class RatePanel {
  constructor(fig, spec) { this.fig = fig; this.spec = spec; }
  key(view) { return JSON.stringify(view.scene.spec.loss); }
  draw(view) {
    const sc = view.scene, range = [view.lrRange[0], view.lrRange[1]];
    this.fig.svg.replaceChildren();
    const ax = this.ax = new Axes(this.fig.svg, { xlog: true, xlim: range, ylim: [0, 0.95], title: "", xlabel: "learning rate", ylabel: "momentum β" });
    if (!this.grid) this.grid = rateGrid(sc.loss, range, { num: 160 });
    const g = this.grid, nx = g.lrs.length, ny = g.betas.length;
    const canvas = document.createElement("canvas");
    canvas.width = nx; canvas.height = ny;
    const ctx = canvas.getContext("2d"), img = ctx.createImageData(nx, ny);
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
      const v = g.perDecade[j][i], o = 4 * ((ny - 1 - j) * nx + i);
      const rgb = Number.isFinite(v) ? viridisR(Math.log(Math.min(Math.max(v, 3), 3000) / 3) / Math.log(1000)) : [191, 191, 191];
      img.data.set([...rgb, 255], o);
    }
    ctx.putImageData(img, 0, 0);
    svgEl("image", { href: canvas.toDataURL(), x: ax.px0, y: ax.py0, width: ax.px1 - ax.px0, height: ax.py1 - ax.py0, preserveAspectRatio: "none" }, ax.data);
    svgEl("path", { d: ax.pathD(g.edge.map((e) => e[0]), g.edge.map((e) => e[1])), stroke: PALETTE.vermillion, "stroke-width": 2.5, fill: "none" }, ax.data);
    svgEl("circle", { cx: ax.tx(g.gdBest), cy: ax.ty(0), r: 5.5, fill: PALETTE.purple, stroke: "#000" }, ax.front);
    svgEl("path", { d: starD(ax.tx(g.polyak[0]), ax.ty(g.polyak[1]), 9), fill: PALETTE.sky, stroke: "#000" }, ax.data);
    svgEl("text", { x: ax.px1 - 4, y: ax.py0 + 13, "text-anchor": "end", "font-size": 11, "font-weight": "bold", stroke: "#fff", "stroke-width": 3, "paint-order": "stroke" }, ax.front, "diverges");
    // a small legend, top left, as the Python panel's
    const leg = svgEl("g", { "font-size": 10, stroke: "none" }, ax.front);
    const rows = [["line", PALETTE.vermillion, "edge: 2(1+β)/L"], ["dot", PALETTE.purple, "GD's best (β = 0)"], ["star", PALETTE.sky, "Polyak's optimum"], ["you", "#fff", "you"]];
    svgEl("rect", { x: ax.px0 + 3, y: ax.py0 + 3, width: 118, height: 58, fill: "#fff", "fill-opacity": 0.85 }, leg);
    rows.forEach(([kind, c, text], k) => {
      const y = ax.py0 + 14 + 13 * k, x = ax.px0 + 9;
      if (kind === "line") svgEl("line", { x1: x - 2, x2: x + 12, y1: y - 3, y2: y - 3, stroke: c, "stroke-width": 2.5 }, leg);
      else if (kind === "star") svgEl("path", { d: starD(x + 5, y - 3, 5.5), fill: c, stroke: "#000", "stroke-width": 0.6 }, leg);
      else svgEl("circle", { cx: x + 5, cy: y - 3, r: 4, fill: c, stroke: "#000", "stroke-width": kind === "you" ? 1.6 : 0.8 }, leg);
      svgEl("text", { x: x + 17, y }, leg, text);
    });
    this.marker = svgEl("circle", { r: 6, fill: "#fff", stroke: "#000", "stroke-width": 2 }, ax.dyn);
  }
  update(view) {
    this.marker.setAttribute("cx", this.ax.tx(view.lr));
    this.marker.setAttribute("cy", this.ax.ty(view.scene.momentum));
    this.ax.setTitle(view.rateInfo);
  }
}

/** lessons.debugging.GradNormPanel: the gradient norm against step and the bound rho^t |g0|. */
class GradNormPanel {
  constructor(fig, spec) { this.fig = fig; this.spec = spec; }
  key(view) { return sceneKey(view); }
  draw(view) {
    const sc = view.scene;
    this.fig.svg.replaceChildren();
    const g = sc.loss.valueAndGrad(sc.x0)[1];
    this.g0 = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
    const ax = this.ax = new Axes(this.fig.svg, { ylog: true, xlim: [0, sc.numSteps], ylim: [this.g0 * 1e-7, this.g0 * 1e4], title: "gradient norm, log scale",
      xlabel: "step", ylabel: "gradient norm" });
    this.bound = svgEl("path", { fill: "none", stroke: PALETTE.grey, "stroke-width": 1.8, "stroke-dasharray": "6 4" }, ax.dyn);
    this.line = svgEl("path", { fill: "none", "stroke-width": 2 }, ax.dyn);
    const leg = svgEl("g", { "font-size": 10.5 }, ax.front);
    svgEl("line", { x1: ax.px0 + 8, x2: ax.px0 + 24, y1: ax.py1 - 24, y2: ax.py1 - 24, stroke: PALETTE.grey, "stroke-width": 1.8, "stroke-dasharray": "6 4" }, leg);
    svgEl("text", { x: ax.px0 + 28, y: ax.py1 - 20 }, leg, "theory: ρᵗ·‖g₀‖");
    svgEl("line", { x1: ax.px0 + 8, x2: ax.px0 + 24, y1: ax.py1 - 10, y2: ax.py1 - 10, stroke: PALETTE.blue, "stroke-width": 2 }, leg);
    svgEl("text", { x: ax.px0 + 28, y: ax.py1 - 6 }, leg, "measured ‖g‖");
  }
  update(view) {
    const traj = view.runs.main, T = traj.numSteps, ts = Array.from({ length: T + 1 }, (_, t) => t);
    this.line.setAttribute("d", this.ax.pathD(ts, Array.from(traj.gradNorm)));
    this.line.setAttribute("stroke", regimeColor(view.regime));
    const rho = convergenceRate(view.scene.loss, view.lr);
    this.bound.setAttribute("d", this.ax.pathD(ts, ts.map((t) => this.g0 * Math.pow(rho, t))));
  }
}

// --------------------------------------------------------------------------- lesson 07's panels

/** lessons.batch_size.BatchPathPanel: the minibatch path (regime colour) over the full-batch path (grey). */
class BatchPathPanel {
  constructor(fig, spec) { this.fig = fig; this.spec = spec; }
  key() { return "static"; }
  draw(view) {
    const loss = view.scene.contours;
    this.fig.svg.replaceChildren();
    const ax = this.ax = new Axes(this.fig.svg, { xlim: loss.bounds[0], ylim: loss.bounds[1], title: "the path", xlabel: "w₁", ylabel: "w₂" });
    drawContours(ax, loss);
    this.gd = svgEl("path", { fill: "none", stroke: PALETTE.grey, "stroke-width": 1.5, "stroke-opacity": 0.9 }, ax.dyn);
    this.sgd = svgEl("path", { fill: "none", "stroke-width": 1.0 }, ax.dyn);
    this.dots = svgEl("path", {}, ax.dyn);
  }
  update(view) {
    const ax = this.ax, col = REGIME_COLORS[view.regime] || PALETTE.blue;
    const xy = (t) => [t.params.map((p) => p[0]), t.params.map((p) => p[1])];
    const [gx, gy] = xy(view.runs.gd), [sx, sy] = xy(view.runs.sgd);
    this.gd.setAttribute("d", ax.pathD(gx, gy));
    this.sgd.setAttribute("d", ax.pathD(sx, sy));
    this.sgd.setAttribute("stroke", col);
    this.dots.setAttribute("d", ax.dotsD(sx, sy, 1.4));
    this.dots.setAttribute("fill", col);
  }
}

/** lessons.batch_size.BatchLossPanel: the minibatch and full-batch loss gaps, the predicted floor dashed. */
class BatchLossPanel {
  constructor(fig, spec) { this.fig = fig; this.spec = spec; }
  key() { return "static"; }
  draw(view) {
    this.fig.svg.replaceChildren();
    const ax = this.ax = new Axes(this.fig.svg, { ylog: true, xlim: [0, view.scene.numSteps], ylim: [1e-6, 1e3], title: "loss, log scale",
      xlabel: "step", ylabel: "loss − min" });
    this.gd = svgEl("path", { fill: "none", stroke: PALETTE.grey, "stroke-width": 1.5 }, ax.dyn);
    this.sgd = svgEl("path", { fill: "none", "stroke-width": 1.2 }, ax.dyn);
    this.floor = svgEl("line", { x1: ax.px0, x2: ax.px1, stroke: PALETTE.black, "stroke-width": 1.5, "stroke-dasharray": "6 4" }, ax.dyn);
  }
  update(view) {
    const ax = this.ax, m = view.scene.loss.min_value;
    const T = view.scene.numSteps, ts = Array.from({ length: T + 1 }, (_, t) => t);
    this.sgd.setAttribute("d", ax.pathD(ts, Array.from(view.runs.sgd.loss, (v) => v - m)));
    this.sgd.setAttribute("stroke", REGIME_COLORS[view.regime] || PALETTE.blue);
    this.gd.setAttribute("d", ax.pathD(ts, Array.from(view.runs.gd.loss, (v) => v - m)));
    const show = Number.isFinite(view.floor) && view.floor > 0;
    const Y = show ? ax.ty(view.floor) : -100;
    this.floor.setAttribute("y1", Y); this.floor.setAttribute("y2", Y);
    this.floor.setAttribute("visibility", show ? "visible" : "hidden");
  }
}

/** lessons.batch_size.FloorPanel: the noise floor against lr for every batch size, this one in colour. */
class FloorPanel {
  constructor(fig, spec) { this.fig = fig; this.spec = spec; }
  key() { return "static"; }
  draw(view) {
    this.fig.svg.replaceChildren();
    const ax = this.ax = new Axes(this.fig.svg, { xlog: true, ylog: true, xlim: view.lrRange, ylim: [1e-7, 10],
      title: "floor ∝ lr / B (grey: other B)", xlabel: "learning rate", ylabel: "noise floor (loss − min)" });
    for (const c of view.floorCurves) {
      svgEl("path", { d: ax.pathD(Array.from(c.lrs), c.floor), fill: "none", stroke: PALETTE.grey, "stroke-width": 0.8, "stroke-opacity": 0.6 }, ax.data);
    }
    for (const m of view.mapMarks) ax.vline(m.lr, { stroke: m.color, "stroke-width": 2, "stroke-dasharray": "2 3" }, m.label);
    this.curve = svgEl("path", { fill: "none", stroke: PALETTE.blue, "stroke-width": 2.5 }, ax.dyn);
    this.limit = svgEl("line", { y1: ax.py0, y2: ax.py1, stroke: PALETTE.purple, "stroke-width": 1.8, "stroke-dasharray": "6 4" }, ax.dyn);
    this.vline = svgEl("line", { y1: ax.py0, y2: ax.py1, stroke: PALETTE.black, "stroke-width": 1.2, "stroke-opacity": 0.6 }, ax.dyn);
    this.dot = svgEl("circle", { r: 5, fill: PALETTE.black }, ax.dyn);
  }
  update(view) {
    const ax = this.ax, c = view.floorCurve;
    this.curve.setAttribute("d", ax.pathD(Array.from(c.lrs), c.floor));
    const XL = ax.tx(view.critical);
    this.limit.setAttribute("x1", XL); this.limit.setAttribute("x2", XL);
    const X = ax.tx(view.lr);
    this.vline.setAttribute("x1", X); this.vline.setAttribute("x2", X);
    const f = view.floor, y = f === Infinity ? 5.0 : f > 0 ? Math.min(f, 5.0) : NaN;
    this.dot.setAttribute("cx", X); this.dot.setAttribute("cy", Number.isFinite(y) ? ax.ty(y) : -100);
  }
}

/** lessons.batch_size._batch_legend, as HTML under the panels. */
function batchLegend(section) {
  const items = [["line-dot", PALETTE.black, "minibatch SGD (colour: regime)"], ["line", PALETTE.grey, "full batch, same lr"],
    ["dash", PALETTE.black, "predicted noise floor"], ["thick", PALETTE.blue, "floor against lr, this B"],
    ["dash", PALETTE.purple, "SGD's stability limit, this B"]];
  const ul = htmlEl("ul", { class: "lx-legend" }, section);
  for (const [kind, color, text] of items) {
    const li = htmlEl("li", {}, ul);
    const svg = svgEl("svg", { width: 26, height: 10, "aria-hidden": "true" }, li);
    svgEl("line", { x1: 1, x2: 25, y1: 5, y2: 5, stroke: color, "stroke-width": kind === "thick" ? 3 : 1.6,
      "stroke-dasharray": kind === "dash" ? "5 3" : null }, svg);
    if (kind === "line-dot") svgEl("circle", { cx: 13, cy: 5, r: 2.5, fill: color }, svg);
    li.appendChild(document.createTextNode(text));
  }
}

const CUSTOM_PANELS = { batch_size: { path: BatchPathPanel, loss: BatchLossPanel, floor: FloorPanel } };
const CUSTOM_LEGENDS = { batch_size: batchLegend };

const PANELS = { path: PathPanel, loss: LossPanel, map: MapPanel, rate: RatePanel, gradnorm: GradNormPanel };
const PANEL_NAMES = { path: "the path", loss: "the loss against step", map: "the final loss at every learning rate",
  rate: "the convergence rate over learning rate and momentum", gradnorm: "the gradient norm against step",
  floor: "the noise floor against learning rate" };

// --------------------------------------------------------------------------- the explorer on the page

function formatControl(c, v) {
  return c.kind === "choice" ? String(v) : pyFormat(v, c.format || ".3g");
}

/** The explorer in `section` (the page's `index`-th): controls, panels, texts, address. */
function mount(section, index) {
  const spec = JSON.parse(section.querySelector("script.lrlab-spec").textContent, revive);
  const ex = makeExplorer(spec);
  const sfx = index === 0 ? "" : String(index + 1);
  const lrGrid = ex.slider;
  const state = { lr: spec.lr, controls: { ...spec.values }, preset: null };
  const id = `lx${index + 1}`;

  // ---- from the address: lr (and any control) as written by this page, or an old #lr= / #lrp= link
  const readHash = () => {
    const h = new URLSearchParams(location.hash.slice(1));
    const presetName = h.get(`lr${sfx}p`) || h.get(`preset${sfx}`);
    const preset = presetName && spec.presets.find((p) => p.name === presetName);
    if (preset) { state.lr = preset.lr; state.controls = { ...preset.controls }; state.preset = preset.name; return; }
    const lr = parseFloat(h.get(`lr${sfx}`));
    if (lr > 0 && Number.isFinite(lr)) state.lr = fromAddress(lr, lrGrid, spec.lr_min, spec.lr_max);
    for (const c of spec.controls) {
      const raw = h.get(c.name + sfx);
      if (raw === null) continue;
      if (c.kind === "choice") {
        const o = c.options.find((opt) => String(opt) === raw);
        if (o !== undefined) state.controls[c.name] = o;
      } else {
        const v = parseFloat(raw);
        if (Number.isFinite(v)) state.controls[c.name] = c.log ? fromAddress(v, { lo: c.lo, hi: c.hi, step: c.step, steps: Math.round((c.hi - c.lo) / c.step), base: 10 }, c.min, c.max)
          : Math.min(c.max, Math.max(c.min, v));
      }
    }
  };
  readHash();

  // ---- the controls
  section.replaceChildren();
  const box = htmlEl("div", { class: "lx-box" }, section);
  const lrRow = htmlEl("div", { class: "lx-row lx-lr" }, box);
  htmlEl("label", { for: `${id}-lr`, class: "lx-label" }, lrRow, spec.lr_description);
  const wrap = htmlEl("div", { class: "lx-slider" }, lrRow);
  const range = htmlEl("input", { type: "range", id: `${id}-lr`, min: 0, max: lrGrid.steps, step: 1, value: snapIndex(lrGrid, state.lr),
    "aria-describedby": `${id}-theory` }, wrap);
  const marks = htmlEl("div", { class: "lx-marks", "aria-hidden": "true" }, wrap);
  const readout = htmlEl("output", { class: "lx-readout", for: `${id}-lr` }, lrRow);
  const badge = htmlEl("span", { class: "lx-badge" }, lrRow);
  const theoryLine = htmlEl("div", { class: "lx-theory", id: `${id}-theory` }, box);

  const presetButtons = [];
  const rows = {};
  for (const p of spec.presets) (rows[p.row] = rows[p.row] || []).push(p);
  for (const [label, ps] of Object.entries(rows)) {
    const row = htmlEl("div", { class: "lx-row lx-presets", role: "group", "aria-label": label.replace(/:$/, "") }, box);
    htmlEl("span", { class: "lx-rowlabel" }, row, label);
    for (const p of ps) {
      const b = htmlEl("button", { type: "button", class: "lx-preset", "data-name": p.name, "aria-pressed": "false" }, row, p.name);
      b.addEventListener("click", () => {
        state.lr = p.lr; state.controls = { ...p.controls }; state.preset = p.name;
        render();
      });
      presetButtons.push(b);
    }
  }

  const controlInputs = {};
  if (spec.controls.length) {
    const row = htmlEl("div", { class: "lx-row lx-controls" }, box);
    for (const c of spec.controls) {
      const grid = controlGrid(c);
      if (c.kind === "choice" && c.style === "toggle") {
        const fs = htmlEl("fieldset", { class: "lx-choice" }, row);
        htmlEl("legend", {}, fs, c.description);
        const inputs = c.options.map((o, k) => {
          const lab = htmlEl("label", {}, fs);
          const inp = htmlEl("input", { type: "radio", name: `${id}-${c.name}`, value: k }, lab);
          lab.appendChild(document.createTextNode(" " + String(o)));
          inp.addEventListener("change", () => { if (inp.checked) { state.controls[c.name] = o; state.preset = null; render(); } });
          return inp;
        });
        controlInputs[c.name] = { c, grid, set: (v) => inputs.forEach((inp, k) => { inp.checked = c.options[k] === v; }) };
      } else {
        const cell = htmlEl("div", { class: "lx-control" }, row);
        htmlEl("label", { for: `${id}-${c.name}`, class: "lx-label" }, cell, c.description);
        const inp = htmlEl("input", { type: "range", id: `${id}-${c.name}`, min: 0, max: grid.n, step: 1 }, cell);
        const out = htmlEl("output", { class: "lx-readout", for: `${id}-${c.name}` }, cell);
        inp.addEventListener("input", () => { state.controls[c.name] = grid.value(+inp.value); state.preset = null; render(); });
        controlInputs[c.name] = { c, grid, set: (v) => {
          inp.value = grid.index(v); out.textContent = formatControl(c, v);
          inp.setAttribute("aria-valuetext", `${c.description} ${formatControl(c, v)}`);
        } };
      }
    }
  }
  const statsLine = htmlEl("div", { class: "lx-stats" }, box);

  const figs = htmlEl("div", { class: "lx-panels", role: "group", "aria-label": "the explorer's figure", "aria-describedby": `${id}-desc` }, section);
  const panels = spec.panels.map((p) => {
    const figure = htmlEl("figure", { class: `lx-panel lx-panel-${p.kind}` }, figs);
    const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": PANEL_NAMES[p.kind] || p.name, preserveAspectRatio: "xMidYMid meet" }, figure);
    return new (spec.custom ? CUSTOM_PANELS[spec.custom] : PANELS)[p.kind]({ svg, figure }, p);
  });
  if (spec.custom && CUSTOM_LEGENDS[spec.custom]) CUSTOM_LEGENDS[spec.custom](section);
  const desc = htmlEl("p", { class: "lx-desc", id: `${id}-desc` }, section);
  const live = htmlEl("div", { class: "lx-sr", "aria-live": "polite", "aria-atomic": "true" }, section);

  range.addEventListener("input", () => { state.lr = sliderValue(lrGrid, +range.value); state.preset = null; render(); });

  let lastScene = null, lastRegime = null, lastMarks = null;
  const keys = panels.map(() => null);
  const setHtml = (e, h) => { if (e.__html !== h) { e.innerHTML = h; e.__html = h; } };
  function render(write = true) {
    const view = ex.compute(state.lr, state.controls);
    view.lrRange = [spec.lr_min, spec.lr_max];
    if (view.scene !== lastScene) {            // a new scene: redraw the static part of the panels it changes
      panels.forEach((p, i) => { const k = p.key(view); if (k !== keys[i]) { p.draw(view); keys[i] = k; } });
      lastScene = view.scene;
    }
    for (const p of panels) p.update(view);
    readout.textContent = pyFormat(state.lr, ".3g");
    const k = snapIndex(lrGrid, state.lr);
    if (+range.value !== k) range.value = k;
    range.setAttribute("aria-valuetext", lrValueText(spec, state.lr, view.regime));
    setHtml(badge, view.label);
    setHtml(theoryLine, view.theory);
    setHtml(statsLine, view.stats);
    desc.textContent = view.description;
    for (const [name, ci] of Object.entries(controlInputs)) ci.set(state.controls[name]);
    const mk = JSON.stringify(view.marks);
    if (mk !== lastMarks) { drawMarks(marks, view.marks, lrGrid); lastMarks = mk; }
    for (const b of presetButtons) b.setAttribute("aria-pressed", String(b.dataset.name === state.preset));
    if (lastRegime !== null && view.regime !== lastRegime) live.textContent = `Regime: ${view.regime}.`;
    lastRegime = view.regime;
    section.dataset.regime = view.regime;
    if (write) writeHash();
  }

  function writeHash() {
    const h = new URLSearchParams(location.hash.slice(1));
    h.delete(`lr${sfx}p`); h.delete(`preset${sfx}`);
    h.set(`lr${sfx}`, pyFormat(state.lr, ".4g"));
    for (const c of spec.controls) {
      const v = state.controls[c.name];
      h.set(c.name + sfx, c.kind === "choice" ? String(v) : c.log ? pyFormat(v, ".4g") : String(v));
    }
    const s = "#" + h.toString();
    if (s !== location.hash) history.replaceState(null, "", s);
  }

  render(false);                                 // the address changes when the reader changes something
  section.lrlab = { spec, state, render, ex, panels };
  return section.lrlab;
}

/** A value read from the address: the slider's grid point it was written from (4 significant digits), else
 * the value itself, within the range. */
function fromAddress(v, grid, lo, hi) {
  v = Math.min(hi, Math.max(lo, v));
  const k = snapIndex(grid, v), g = sliderValue(grid, k);
  return pyFormat(g, ".4g") === pyFormat(v, ".4g") ? g : v;
}

/** The theory marks under the lr slider (1/L, 2/L or 2(1+β)/L), at their place on the log scale. */
function drawMarks(box, list, grid) {
  box.replaceChildren();
  let lastLeft = -100;
  for (const m of list || []) {
    const t = (Math.log10(m.lr) - grid.lo) / (grid.hi - grid.lo);
    if (!(t >= 0 && t <= 1)) continue;
    const span = htmlEl("span", { class: "lx-mark" }, box, m.label);
    span.style.setProperty("--pos", (100 * t).toFixed(2) + "%");
    span.style.color = m.color === PALETTE.green ? "#00755A" : "#A84A00";
    if (t < 0.06) span.classList.add("lx-mark-start"); else if (t > 0.94) span.classList.add("lx-mark-end");
    if (100 * t - lastLeft < 9) span.classList.add("lx-mark-low");
    lastLeft = 100 * t;
  }
}

export function mountAll(root = document) {
  const out = [];
  root.querySelectorAll("section.lrlab-live").forEach((s, i) => {
    // the explorer's place among the page's explorers (live or players of frames): its address keys
    const index = s.dataset.index === undefined ? i : +s.dataset.index;
    try { out.push(mount(s, index)); } catch (err) {
      s.insertAdjacentHTML("beforeend", `<p class="lx-error">This explorer could not start: ${escapeHtml(err.message)}</p>`);
      throw err;
    }
  });
  if (typeof window !== "undefined") window.__lrlabReady = performance.now();   // when the explorers are up
  return out;
}

if (typeof document !== "undefined") {
  // after the first paint: the reader sees the lesson at once, the explorers come up a moment later
  const start = () => requestAnimationFrame(() => setTimeout(() => mountAll(), 0));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}
