// explorers.js: an explorer of lrlab as the page computes it, without a DOM.
//
// An explorer arrives as data (lrlab.site_data.explorer_spec): its lr slider, its controls, its presets,
// its panels and its scene (loss, start, steps, stepper). compute() gives what the Python explorer shows
// for a setting of the controls: the run, the regime label, the numbers line, the theory line, and the
// data of each panel. tests/js checks every text against the explorer's own, frame by frame.

import {
  convergenceRate, criticalLr, escapeHtml, firstStepBelow, gap, geomspace, logSlider, lrMap, makeLoss,
  makeStepper, optimalLr, optimalMomentum, problemStats, pyFormat, regimeBadge, run, sliderValue, snapIndex,
  statsHtml, stepperMomentum, theoryMarks, theoryText, quadraticTheory, regime, pathShape, progress, progressText,
  pairwiseSum, TEXT_COLORS,
} from "./lrlab.js";

/** JSON.parse's reviver for lrlab.site_data.to_json: "nan", "inf", "-inf" back to numbers. */
export const revive = (k, v) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);

/** The scene setups of explorers whose scene follows a slider (lrlab.site_data.SCENE_SETUPS): each gives the
 * lesson's Problem for the control's value, as the lesson's own setup function does. */
export const SETUPS = {
  /** lessons.too_high_too_low.kappa_problem: the bowl (1/kappa, 1). */
  kappa_bowl(scene, c) {
    const kappa = Number(c.kappa);
    return { ...scene, loss: { kind: "quadratic", curvatures: [1.0 / kappa, 1.0], center: [0.0, 0.0] },
      title: `κ = ${pyFormat(kappa, ".3g")}: contours and path` };
  },
  /** lessons.momentum.heavy_ball_problem: SGD with momentum beta on the lesson's bowl. */
  heavy_ball(scene, c) {
    const beta = Number(c.momentum);
    return { ...scene, stepper: { kind: "sgd", hyperparams: { momentum: beta, dampening: 0.0, weight_decay: 0.0,
      nesterov: false, maximize: false } }, title: `heavy ball, β = ${pyFormat(beta, ".2f")}` };
  },
};

/** The numbers line and theory line of explorers that have their own (lrlab.site_data.JS_HOOKS), and the
 * theory marks they show on the lr slider (none where the lesson hides the theory). */
export const HOOKS = {
  /** lessons.start_here.exercise_explorer: the edge is the exercise, so no theory and no lr·L. */
  exercise: {
    stats(view) {
      const loss = view.traj.loss, end = view.traj.diverged ? "blew up" : pyFormat(loss[loss.length - 1], ".3g");
      return `lr = <b>${pyFormat(view.lr, ".4g")}</b> · loss after ${loss.length - 1} steps: <b>${end}</b> (it started at ${pyFormat(loss[0], ".3g")})`;
    },
    theory: () => "theory: hidden here; find the edge from the runs",
    marks: () => [],
  },
  /** lessons.momentum._momentum_theory: GD's 1/L and 2/L at beta = 0; with momentum, the wall and Polyak's optimum. */
  momentum: {
    theory(view) {
      const sc = view.scene;
      if (sc.momentum === 0) return theoryText(sc.loss);
      const [lrP, bP] = optimalMomentum(sc.loss);
      return `<span class="lrlab-theory">theory: <b style="color:${TEXT_COLORS.vermillion}">2(1+β)/L = `
        + `${pyFormat(criticalLr(sc.loss, sc.momentum), ".3g")}</b> (stability limit at β = ${pyFormat(sc.momentum, ".2f")}) · `
        + `<b style="color:${TEXT_COLORS.green}">Polyak: lr = ${pyFormat(lrP, ".3g")}, β = ${pyFormat(bP, ".2f")}</b> (fastest setting)</span>`;
    },
  },
  /** lessons.adaptive_optimizers.optimizer_explorer: GD's limit binds GD only. */
  optimizers: {
    stats(view) {
      const parts = problemStats(view.lr, view.scene, view.traj);
      return view.controls.optimizer === "GD" ? parts : parts.filter((p) => !p.startsWith("lr·L"));
    },
    theory(view) {
      if (view.controls.optimizer === "GD") return theoryText(view.scene.loss);
      return `<span class="lrlab-theory">GD's limit 2/L = ${pyFormat(criticalLr(view.scene.loss), ".3g")} does not bind `
        + `${view.controls.optimizer}: its step is lr/(√v̂ + ε), one per coordinate</span>`;
    },
    marks: (view) => (view.controls.optimizer === "GD" ? theoryMarks(view.scene.loss) : []),
  },
};

/** The scene spec of an explorer at these control values. */
export function sceneSpec(spec, controls) {
  if (spec.scene_choices && spec.scene_choices.length) return spec.scenes[spec.scene_choices.map((c) => String(controls[c])).join("|")];
  if (spec.setup) return SETUPS[spec.setup](spec.scene, controls);
  return spec.scene;
}

/** A scene (loss, stepper, start, steps) built from its spec. */
export function buildScene(s) {
  const loss = makeLoss(s.loss);
  const stepper = makeStepper(s.stepper);
  return { spec: s, loss, stepper, x0: s.x0, numSteps: s.num_steps, tol: s.tol, title: s.title,
    momentum: stepperMomentum(stepper), nesterov: !!(s.stepper && s.stepper.hyperparams && s.stepper.hyperparams.nesterov) };
}

/** A control's positions: a log or linear slider's grid, or a choice's options. */
export function controlGrid(c) {
  if (c.kind === "choice") return { n: c.options.length - 1, value: (k) => c.options[k], index: (v) => Math.max(0, c.options.indexOf(v)) };
  const n = Math.round((c.hi - c.lo) / c.step);
  if (c.log) {
    const s = { lo: c.lo, hi: c.hi, step: c.step, base: 10 };
    return { n, value: (k) => sliderValue(s, k), index: (v) => Math.min(n, Math.max(0, snapIndex(s, v))) };
  }
  // a linear slider's values as decimals (0.35, not 0.35000000000000003): the readout and the address agree
  const clean = (x) => (c.integer ? Math.round(x) : parseFloat(x.toPrecision(12)));
  return { n, value: (k) => clean(Math.min(c.lo + k * c.step, c.hi)),
    index: (v) => Math.min(n, Math.max(0, Math.round((v - c.lo) / c.step))) };
}

// --------------------------------------------------------------------------- lesson 07: batch size

/** theory.MinibatchSGD.floor(lr, B) from its matrices (lrlab.site_data._batch_size_data): the stationary
 * mean loss gap 1/2 tr(H P), P solving P = E[(I - lr H_B) P (I - lr H_B)] + lr^2 c_B Sigma (a 4x4 system,
 * Gaussian elimination with partial pivoting as LAPACK's); inf past SGD's own stability limit, which
 * lrlab's bisection found (theory.MinibatchSGD.critical_lr, in the data). */
export function noiseFloor(D, lr, B) {
  if (lr <= 0) return 0.0;
  const crit = D.critical[String(B)];
  if (!(crit === D.two_over_L ? lr < crit : lr <= crit)) return Infinity;
  const n = D.n, H = D.H;
  const c = n === 1 ? 0.0 : (n - B) / (B * (n - 1));
  const M = [[1 - lr * H[0][0], 0 - lr * H[0][1]], [0 - lr * H[1][0], 1 - lr * H[1][1]]];
  const f = (lr * lr) * c;
  const A = [], b = [];
  for (let r = 0; r < 4; r++) {
    const i = r >> 1, k = r & 1;
    A.push([]);
    for (let q = 0; q < 4; q++) {
      const j = q >> 1, l = q & 1;
      const op = M[i][j] * M[k][l] + f * (D.kAA[r][q] - D.kHH[r][q]);
      A[r].push((r === q ? 1.0 : 0.0) - op);
    }
    b.push(f * D.sigma[i][k]);
  }
  for (let col = 0; col < 4; col++) {                 // LU with partial pivoting, then the substitutions
    let piv = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(A[r][col]) > Math.abs(A[piv][col])) piv = r;
    [A[col], A[piv]] = [A[piv], A[col]]; [b[col], b[piv]] = [b[piv], b[col]];
    for (let r = col + 1; r < 4; r++) {
      const m = A[r][col] / A[col][col];
      for (let q = col; q < 4; q++) A[r][q] -= m * A[col][q];
      b[r] -= m * b[col];
    }
  }
  const P = [0, 0, 0, 0];
  for (let r = 3; r >= 0; r--) {
    let acc = b[r];
    for (let q = r + 1; q < 4; q++) acc -= A[r][q] * P[q];
    P[r] = acc / A[r][r];
  }
  return 0.5 * ((H[0][0] * P[0] + H[0][1] * P[2]) + (H[1][0] * P[1] + H[1][1] * P[3]));
}

/** numpy's mean: the pairwise sum over the count. */
const npMean = (a) => pairwiseSum(Array.from(a)) / a.length;

/** lessons.batch_size.batch_size_explorer: minibatch SGD beside full-batch GD at the same lr. */
function batchSizeExplorer(spec) {
  const D = spec.data;
  const full = makeLoss(D.full), contours = makeLoss(D.contours);
  const fullMin = full.min_value;
  const losses = new Map();
  const lossFor = (B) => {                          // lessons.batch_size.minibatch_loss(B): seed 0
    if (!losses.has(B)) losses.set(B, makeLoss({ ...D.full, batch_size: B, seed: 0 }));
    return losses.get(B);
  };
  const T = D.num_steps;
  const floorCurves = new Map();
  function floorCurve(B) {
    if (!floorCurves.has(B)) {
      const lrs = geomspace(spec.lr_min, spec.lr_max, 160);
      floorCurves.set(B, { lrs, floor: Array.from(lrs, (lr) => noiseFloor(D, lr, B)) });
    }
    return floorCurves.get(B);
  }
  const scene = { spec: { title: "batch size", loss: D.full, stepper: null }, loss: full, contours, x0: D.x0, numSteps: T,
    tol: 1e-6, momentum: 0 };
  function compute(lr, controls) {
    const B = Number(controls.batch_size);
    const sgd = run(lossFor(B), null, D.x0, lr, T), gd = run(full, null, D.x0, lr, T);
    // lessons.batch_size.explorer_regime: divergence if the minibatch run blew up (minibatch_regime's rule),
    // else theory's regime of full-batch GD at this lr; the progress is the minibatch run's
    const gap = sgd.loss.map((v) => v - fullMin);
    const tail = gap.slice(-Math.max(1, Math.floor((gap.length - 1) / 4)));
    const blew = sgd.diverged || Array.from(tail).some((v) => !Number.isFinite(v)) || npMean(tail) > gap[0];
    const word = blew ? "divergence" : regime(full, lr);
    const prog = progress(sgd, fullMin);
    const floor = noiseFloor(D, lr, B);
    const view = { lr, controls, scene, runs: { sgd, gd }, traj: sgd, regime: word, progress: prog, floor, B,
      floorCurve: floorCurve(B), floorCurves: D.batch_sizes.map((b) => floorCurve(b)), critical: D.critical[String(B)] };
    view.label = regimeBadge(word, prog);
    // lessons.batch_size._batch_theory and _batch_stats
    view.theory = `<span class="lrlab-theory">theory: <b>1/L = ${pyFormat(1 / D.L, ".3g")}</b> · `
      + `<b>2/L = ${pyFormat(2 / D.L, ".3g")}</b> (full-batch limit) · SGD's own limit at B = ${B}: `
      + `<b>${pyFormat(D.critical[String(B)], ".3g")}</b></span>`;
    const parts = [`lr = <b>${pyFormat(lr, ".3g")}</b>`, `B = <b>${B}</b>`, `lr/B = <b>${pyFormat(lr / B, ".3g")}</b>`];
    if (sgd.diverged) parts.push(`diverged at step <b>${sgd.divergedAt}</b>`);
    else {
      const last = gap.slice(-Math.floor(T / 4));
      parts.push(`mean loss − min over the last ${last.length} steps = <b>${pyFormat(npMean(last), ".3g")}</b>`);
    }
    parts.push(Number.isFinite(floor) ? `predicted floor = <b>${pyFormat(floor, ".3g")}</b>` : "predicted floor: <b>none (unstable)</b>");
    if (Number.isFinite(floor) && floor > 0 && !sgd.diverged) {
      const k = firstStepBelow(gap, 2 * floor);
      parts.push(`steps to reach 2× the floor: <b>${k >= 0 ? k : `> ${T}`}</b>`);
    } else if (floor === 0 && !sgd.diverged) {
      const k = firstStepBelow(gap, 1e-6, { relativeToStart: true });
      parts.push(`no noise (full batch); steps to 1e-6× the initial gap: <b>${k >= 0 ? k : `> ${T}`}</b>`);
    }
    view.stats = statsHtml(parts);
    view.mapMarks = view.marks = theoryMarks(full);
    const g = Array.from(gap);
    view.description = (sgd.diverged ? `At learning rate ${pyFormat(lr, ".3g")} with batches of ${B} rows the minibatch run diverged: its loss blew up at step ${sgd.divergedAt}.`
      : `At learning rate ${pyFormat(lr, ".3g")} with batches of ${B} rows the minibatch run ends at a loss gap of ${pyFormat(g[g.length - 1], ".2g")} (${progressText(prog)}); `
        + (Number.isFinite(floor) ? (floor > 0 ? `theory predicts a noise floor of ${pyFormat(floor, ".2g")}.` : "full batches: no noise, no floor.") : "theory predicts no floor: SGD is unstable there."))
      + ` Full-batch gradient descent at the same lr: ${gd.diverged ? `diverges at step ${gd.divergedAt}` : `loss gap ${pyFormat(gd.loss[T] - fullMin, ".2g")} after ${T} steps`}. Regime: ${word}.`;
    return view;
  }
  return { spec, slider: { ...spec.lr_slider, base: 10 }, scene: () => scene, compute };
}

/** Explorers computed by code of their own (lrlab.site_data.CUSTOM). */
export const CUSTOM = { batch_size: batchSizeExplorer };

/** An explorer from its spec: what the page needs to compute a frame (no DOM). */
export function makeExplorer(spec) {
  if (spec.custom) return CUSTOM[spec.custom](spec);
  const slider = { lo: spec.lr_slider.lo, hi: spec.lr_slider.hi, step: spec.lr_slider.step, steps: spec.lr_slider.steps, base: 10 };
  const scenes = new Map();
  function scene(controls) {
    const s = sceneSpec(spec, controls);
    const key = JSON.stringify([s.title, s.loss.curvatures || s.loss.matrix || s.loss.kind, s.stepper]);
    if (!scenes.has(key)) { if (scenes.size > 64) scenes.clear(); scenes.set(key, buildScene(s)); }
    return scenes.get(key);
  }
  const maps = new Map();
  /** The lr map of a scene (MapPanel): final gaps at `points` lrs over the slider's range. */
  function map(sc, points) {
    const key = sc.spec.title + "|" + points + "|" + JSON.stringify(sc.spec.stepper);
    if (!maps.has(key)) {
      const lrs = geomspace(spec.lr_min, spec.lr_max, points);
      maps.set(key, { lrs, final: lrMap(sc.loss, sc.stepper, sc.x0, lrs, sc.numSteps) });
    }
    return maps.get(key);
  }
  /** Everything one frame shows at (lr, controls). */
  function compute(lr, controls) {
    const sc = scene(controls);
    const traj = run(sc.loss, sc.stepper, sc.x0, lr, sc.numSteps);
    // explorer._default_regime: theory's regime where it applies, else the path's shape; the progress beside it
    const known = quadraticTheory(sc.loss, sc.spec.stepper);
    const word = known ? regime(sc.loss, lr, known.momentum, known.nesterov) : pathShape(traj);
    const prog = traj.lossMin === null || traj.lossMin === undefined ? null : progress(traj);
    const view = { lr, controls, scene: sc, runs: { main: traj }, traj, regime: word, progress: prog };
    view.label = regimeBadge(word, prog);
    const hooks = HOOKS[spec.hooks] || {};
    const stats = hooks.stats ? hooks.stats(view) : problemStats(lr, sc, traj);
    view.stats = typeof stats === "string" ? `<span class="lrlab-stats">${stats}</span>` : statsHtml(stats);
    view.theory = hooks.theory ? hooks.theory(view) : theoryText(sc.loss, sc.momentum);
    // the lr map draws theory lines whatever the hooks (as MapPanel does); the slider and the description
    // show the marks the explorer shows
    view.mapMarks = theoryMarks(sc.loss, sc.momentum);
    view.marks = hooks.marks ? hooks.marks(view) : view.mapMarks;
    for (const p of spec.panels) {
      if (p.kind === "map") view.map = map(sc, p.points);
      if (p.kind === "rate") view.rateInfo = rateInfo(view);
    }
    view.description = describe(view);
    return view;
  }
  return { spec, slider, scene, compute, map };
}

/** lessons.momentum.RatePanel's line: the error's factor per step, from theory. */
export function rateInfo(view) {
  const rho = convergenceRate(view.scene.loss, view.lr, view.scene.momentum);
  return rho < 1 ? `error × ${pyFormat(rho, ".3f")} per step` : "error grows: diverges";
}

/** The rate map (RatePanel): per (beta, lr) the steps that divide the error by 10, NaN where it diverges. */
export function rateGrid(loss, lrRange, { num = 160, betaMax = 0.95 } = {}) {
  const lrs = geomspace(lrRange[0], lrRange[1], num);
  const nb = Math.floor(num / 2);
  const betas = Array.from({ length: nb }, (_, i) => (nb === 1 ? 0 : (betaMax * i) / (nb - 1)));
  const perDecade = betas.map((b) => Array.from(lrs, (lr) => {
    const rho = convergenceRate(loss, lr, b);
    return rho < 1 ? Math.log(10.0) / -Math.log(Math.max(rho, 1e-300)) : NaN;
  }));
  const L = loss.eigenvalues[loss.eigenvalues.length - 1];
  return { lrs, betas, perDecade, edge: betas.map((b) => [(2 * (1 + b)) / L, b]), gdBest: optimalLr(loss),
    polyak: optimalMomentum(loss) };
}

/** The figure in words (for a screen reader, and beside the figure for everyone): what the run did,
 * from the same numbers the panels draw. */
export function describe(view) {
  const { traj, scene } = view;
  const g = gap(traj);
  const out = [];
  const lrText = `At learning rate ${pyFormat(view.lr, ".3g")}`;
  if (traj.diverged) {
    out.push(`${lrText} the run diverged: its loss blew up at step ${traj.divergedAt} of ${scene.numSteps}.`);
  } else {
    const k = firstStepBelow(g, scene.tol, { relativeToStart: true });
    const frac = g[0] > 0 ? 1 - g[g.length - 1] / g[0] : 1;
    if (k >= 0) out.push(`${lrText} the run converged: the loss gap fell below ${pyFormat(scene.tol, "g")} of its start at step ${k}, and is ${pyFormat(g[g.length - 1], ".2g")} after ${scene.numSteps} steps.`);
    else if (frac < 0) out.push(`${lrText} the loss gap grew from ${pyFormat(g[0], ".2g")} to ${pyFormat(g[g.length - 1], ".2g")} in ${scene.numSteps} steps.`);
    else out.push(`${lrText}: ${progressText(frac)} in ${scene.numSteps} steps (from ${pyFormat(g[0], ".2g")} to ${pyFormat(g[g.length - 1], ".2g")}), short of ${pyFormat(scene.tol, "g")} of its start.`);
  }
  out.push(`Regime: ${view.regime}.`);
  if (view.marks && view.marks.length) {
    const [one, two] = view.marks;
    const where = view.lr < one.lr ? `below ${one.label} = ${pyFormat(one.lr, ".3g")}`
      : view.lr < two.lr ? `between ${one.label} = ${pyFormat(one.lr, ".3g")} and ${two.label} = ${pyFormat(two.lr, ".3g")}`
        : `above ${two.label} = ${pyFormat(two.lr, ".3g")}, the stability limit`;
    out.push(`The learning rate is ${where}.`);
  }
  if (view.rateInfo) out.push(`Theory: ${view.rateInfo}.`);
  return out.join(" ");
}

/** What a screen reader announces for the lr slider: its name, the lr in the page's units, the regime. */
export const lrValueText = (spec, lr, regime) => `${spec.lr_description} ${pyFormat(lr, ".3g")}, ${regime}`;

export { criticalLr, escapeHtml, logSlider };
