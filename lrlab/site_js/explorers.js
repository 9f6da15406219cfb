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

/** An explorer from its spec: what the page needs to compute a frame (no DOM). */
export function makeExplorer(spec) {
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
