// The site's JavaScript against lrlab: `node --test tests/js/`.
//
// Reads the fixtures lrlab writes (`python -m lrlab.site_fixtures OUT.json`) from $LRLAB_FIXTURES; without
// it, writes them first with $PYTHON (default python3) from the repository root. Every number is compared
// to a relative 1e-12 (NaN to NaN, inf to inf), every text exactly. tests/test_site_js.py runs this.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import * as L from "../../lrlab/site_js/lrlab.js";
import * as E from "../../lrlab/site_js/explorers.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RTOL = 1e-12;

function loadFixtures() {
  let path = process.env.LRLAB_FIXTURES;
  if (!path || !existsSync(path)) {
    path = join(mkdtempSync(join(tmpdir(), "lrlab-fixtures-")), "fixtures.json");
    execFileSync(process.env.PYTHON || "python3", ["-m", "lrlab.site_fixtures", path], {
      cwd: ROOT, env: { ...process.env, PYTHONPATH: ROOT + (process.env.PYTHONPATH ? ":" + process.env.PYTHONPATH : "") },
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  return JSON.parse(readFileSync(path, "utf8"), E.revive);
}

const FX = loadFixtures();
const chaotic = [];
const pyFormatShort = (x) => L.pyFormat(x, ".3g");

/** The worst relative difference seen, per test (printed: how close is close). */
const worst = {};
function relErr(a, b) {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;                                   // equal infinities too
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}
function close(got, want, what, key) {
  const e = relErr(got, want);
  worst[key] = Math.max(worst[key] || 0, e);
  if (!(e <= RTOL)) assert.fail(`${what}: got ${got}, lrlab ${want} (relative difference ${e.toExponential(2)})`);
}
function closeArrays(got, want, what, key) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (Array.isArray(want[i])) closeArrays(Array.from(got[i]), want[i], `${what}[${i}]`, key);
    else close(got[i], want[i], `${what}[${i}]`, key);
  }
}
function report(key) {
  console.log(`# ${key}: worst relative difference ${worst[key] === undefined ? "-" : worst[key].toExponential(2)}`);
}

/** Within 1e-12 relative of lrlab, or, where lrlab's own run is sensitive (a 1-D curve whose gradient moves
 * when nudged by two ulps of its terms, as another exp or tanh moves it: `spread`, from the fixtures),
 * within 4 times that move. */
function closeOrSpread(got, want, spread, what, key) {
  const e = relErr(got, want);
  if (e <= RTOL) { worst[key] = Math.max(worst[key] || 0, e); return; }
  const ok = Number.isFinite(want) && Number.isFinite(got) && Math.abs(got - want) <= 4 * spread;
  const k2 = key + " (1-D curves: difference / what exp, tanh and lrlab's own sensitivity allow)";
  worst[k2] = Math.max(worst[k2] || 0, spread > 0 ? Math.abs(got - want) / spread : Infinity);
  if (!ok) assert.fail(`${what}: got ${got}, lrlab ${want} (relative difference ${e.toExponential(2)}; lrlab's own spread ${spread})`);
}

/** Compares a run; returns whether it was compared to its end (false: lrlab's own run turns chaotic). */
function checkTraj(got, want, what, key, loss = null) {
  if (want.spread || (loss && loss.gradScale)) {
    // a 1-D curve: exp and tanh come from another maths library (an ulp or two apart from numpy's); its
    // value and gradient are sums of terms that cancel near a minimum, so they are compared to 1e-12 of
    // those terms, and where lrlab's own run is sensitive (spread) to 4 times its move under a nudge
    const zeros = { loss: want.loss.map(() => 0), grad_norm: want.loss.map(() => 0),
      params: want.params.map((p) => p.map(() => 0)), chaotic_from: -1 };
    const sp = want.spread || zeros, end = sp.chaotic_from >= 0 ? sp.chaotic_from : want.loss.length;
    for (let t = 0; t < end; t++) {
      const vterms = Number.isFinite(want.loss[t]) ? 0.25e-12 * loss.valueScale(want.params[t]) : 0;
      closeOrSpread(got.loss[t], want.loss[t], Math.max(sp.loss[t], vterms), `${what}: loss[${t}]`, key);
      // the gradient also to 1e-12 of the terms it adds up (they cancel near a minimum)
      const terms = loss && loss.gradScale && Number.isFinite(want.grad_norm[t]) ? 0.25e-12 * loss.gradScale(want.params[t]) : 0;
      closeOrSpread(got.gradNorm[t], want.grad_norm[t], Math.max(sp.grad_norm[t], terms), `${what}: grad_norm[${t}]`, key);
      for (let j = 0; j < want.params[t].length; j++) closeOrSpread(got.params[t][j], want.params[t][j], sp.params[t][j], `${what}: params[${t}][${j}]`, key);
    }
    if (sp.chaotic_from >= 0) { chaotic.push(`${what} from step ${sp.chaotic_from}`); return false; }
    assert.equal(got.divergedAt, want.diverged_at, `${what}: diverged_at`);
    assert.equal(L.pathShape(got), want.path_shape, `${what}: path_shape`);
    if (want.progress !== null) {
      // 1 - gap_T / gap_0: the final loss's allowance above, and the two minima's difference, over the gap
      const T = want.loss.length - 1, gap0 = want.loss[0] - want.loss_min;
      const slack = 4 * Math.max(sp.loss[T], 0.25e-12 * loss.valueScale(want.params[T])) + 2 * Math.abs(got.lossMin - want.loss_min);
      closeOrSpread(L.progress(got), want.progress, slack / Math.abs(gap0) / 4, `${what}: progress`, key);
    }
    return true;
  }
  assert.equal(got.diverged, want.diverged, `${what}: diverged`);
  assert.equal(got.divergedAt, want.diverged_at, `${what}: diverged_at`);
  closeArrays(got.loss, want.loss, `${what}: loss`, key);
  closeArrays(got.gradNorm, want.grad_norm, `${what}: grad_norm`, key);
  closeArrays(got.params.map((p) => Array.from(p)), want.params, `${what}: params`, key);
  assert.equal(L.pathShape(got), want.path_shape, `${what}: path_shape`);
  if (want.progress !== null) close(L.progress(got), want.progress, `${what}: progress`, key);
  return true;
}

test("Python's number formats", () => {
  let bad = [];
  for (const [v, spec, expected] of FX.formats) {
    const got = L.pyFormat(v, spec), want = expected.slice(2);
    if (got !== want) bad.push(`format(${v}, '${spec}') = '${want}', JS '${got}'`);
  }
  assert.deepEqual(bad, []);
  console.log(`# ${FX.formats.length} formats equal`);
});

test("numpy's minibatches: SeedSequence, PCG64, choice without replacement", () => {
  for (const c of FX.choice) {
    assert.deepEqual(L.minibatchRows(c.seed, c.t, c.n, c.size), c.rows, `default_rng((${c.seed}, ${c.t})).choice(${c.n}, ${c.size})`);
  }
});

test("the progress in words", () => {
  for (const [p, want] of FX.progress_text) assert.equal(L.progressText(p), want.slice(2), `progress_text(${p})`);
});

test("every stepper on every toy loss, and the edge cases", () => {
  for (const c of FX.runs) {
    const loss = L.makeLoss(c.loss);
    const stepper = L.makeStepper(c.stepper);
    const what = `${c.stepper_name} on ${c.loss_name}, lr ${c.schedule || c.lr}`;
    const got = L.run(loss, stepper, c.x0, c.lr, c.num_steps, { divergenceThreshold: c.divergence_threshold || 1e10 });
    checkTraj(got, c.traj, what, "runs", loss);
    // the lr map's shortcut (no record) ends where the recorded run ends, to the bit
    const fin = L.finalLoss(loss, stepper, c.x0, c.lr, c.num_steps, { divergenceThreshold: c.divergence_threshold || 1e10 });
    assert.ok(Object.is(fin, got.loss[c.num_steps]), `${what}: finalLoss ${fin}, run ${got.loss[c.num_steps]}`);
  }
  console.log(`# ${FX.runs.length} runs`);
  report("runs");
  const key = "runs (1-D curves: difference / what exp, tanh and lrlab's own sensitivity allow)";
  if (worst[key] !== undefined) report(key);
  console.log(`# ${FX.runs.filter((c) => c.traj.spread).length} runs on 1-D curves move by more than 1e-12 when lrlab's gradient is nudged by two ulps of its terms`);
  for (const c of chaotic) console.log(`#   chaotic in lrlab itself (compared up to that step only): ${c}`);
  chaotic.length = 0;
});

test("the lr map equals lrlab's batched run", () => {
  const c = FX.explorers["02 one curvature"].frames[0];
  const sc = E.buildScene(c.scene);
  const t0 = performance.now();
  const final = L.lrMap(sc.loss, sc.stepper, sc.x0, c.map.lrs, sc.numSteps);
  const ms = performance.now() - t0;
  closeArrays(Array.from(final), c.map.final, "map", "map");
  console.log(`# the 5000-lr map of lesson 02 in ${ms.toFixed(1)} ms`);
  report("map");
});

test("lr grids, the slider's grid and its snapping", () => {
  for (const g of FX.grids.geomspace) closeArrays(Array.from(L.geomspace(g.start, g.stop, g.num)), g.values, `geomspace(${g.start}, ${g.stop}, ${g.num})`, "grids");
  for (const g of FX.grids.linspace) closeArrays(Array.from(L.linspace(g.start, g.stop, g.num)), g.values, `linspace(${g.start}, ${g.stop}, ${g.num})`, "grids");
  for (const s of FX.grids.sliders) {
    const js = L.logSlider(s.min, s.max);
    close(js.lo, s.lo, "slider lo", "grids"); close(js.hi, s.hi, "slider hi", "grids"); close(js.step, s.step, "slider step", "grids");
    assert.equal(js.steps, s.steps);
    closeArrays(s.values.map((_, k) => L.sliderValue(js, k)), s.values, `slider ${s.min}..${s.max}`, "grids");
    for (const [ask, want] of s.snap) close(L.snapToSlider(js, ask), want, `snap ${ask}`, "grids");
  }
  report("grids");
});

test("theory of quadratics", () => {
  for (const t of FX.theory) {
    const loss = L.makeLoss(t.loss);
    closeArrays(t.lrs.map((lr) => L.convergenceRate(loss, lr, t.momentum)), t.rate, `convergence_rate ${t.name} beta ${t.momentum}`, "theory");
    close(L.criticalLr(loss, t.momentum), t.critical, "critical_lr", "theory");
    close(L.nesterovCriticalLr(loss, t.momentum), t.nesterov_critical, "nesterov_critical_lr", "theory");
    t.regime_lrs.forEach((lr, i) => {
      assert.equal(L.regime(loss, lr, t.momentum), t.regime[i], `regime ${t.name} lr ${lr} beta ${t.momentum}`);
      assert.equal(L.regime(loss, lr, t.momentum, true), t.regime_nesterov[i], `Nesterov regime ${t.name} lr ${lr} beta ${t.momentum}`);
    });
    if (t.optimal_lr !== undefined) {
      close(L.optimalLr(loss), t.optimal_lr, "optimal_lr", "theory");
      closeArrays(L.optimalMomentum(loss), t.optimal_momentum, "optimal_momentum", "theory");
    }
  }
  report("theory");
});

test("the 1-D curves find lrlab's local minima", () => {
  for (const c of FX.curves) {
    const loss = L.makeLoss(c.loss);
    closeArrays(loss.local_minima, c.local_minima, `${c.loss.name} minima`, "curves");
    close(loss.min_value, c.min_value, `${c.loss.name} min_value`, "curves");
  }
  report("curves");
});

for (const [name, { spec, frames }] of Object.entries(FX.explorers)) {
  test(`explorer ${name}: scene, run, label, numbers and theory lines as lrlab's`, () => {
    const ex = E.makeExplorer(spec);
    for (const f of frames) {
      const what = `${name} at lr ${f.lr} ${JSON.stringify(f.controls)}`;
      if (spec.custom) {                           // an explorer with code of its own: its runs and texts
        const view = ex.compute(f.lr, f.controls);
        for (const [k, t] of Object.entries(f.runs)) checkTraj(view.runs[k], t, `${what}: ${k}`, `explorer ${name}`);
        assert.equal(view.regime, f.regime, `${what}: regime`);
        assert.equal(view.label, f.label, `${what}: label`);
        assert.equal(view.stats, f.stats, `${what}: stats\n  ${view.stats}\n  ${f.stats}`);
        assert.equal(view.theory, f.theory, `${what}: theory`);
        if (f.floor !== undefined) {
          close(view.floor, f.floor, `${what}: floor`, `explorer ${name} (noise floor, a 4x4 solve)`);
          closeArrays(view.floorCurve.floor, f.floor_curve, `${what}: floor curve`, `explorer ${name} (noise floor, a 4x4 solve)`);
        }
        continue;
      }
      // the scene the page builds for these controls is the lesson's
      const s = E.sceneSpec(spec, f.controls);
      const mine = E.buildScene(s), theirs = E.buildScene(f.scene);
      assert.equal(s.title, f.scene.title, `${what}: title`);
      assert.equal(s.num_steps, f.scene.num_steps); assert.equal(s.tol, f.scene.tol);
      closeArrays(s.x0, f.scene.x0, `${what}: x0`, "scenes");
      closeArrays(mine.loss.eigenvalues || [], theirs.loss.eigenvalues || [], `${what}: eigenvalues`, "scenes");
      closeArrays(mine.loss.center || [], theirs.loss.center || [], `${what}: center`, "scenes");
      closeArrays(mine.loss.bounds, theirs.loss.bounds, `${what}: bounds`, "scenes");
      assert.deepEqual(mine.stepper.hyperparams, theirs.stepper.hyperparams, `${what}: stepper`);
      const view = ex.compute(f.lr, f.controls);
      const whole = checkTraj(view.traj, f.traj, what, `explorer ${name}`, view.scene.loss);
      if (!whole) {                              // lrlab's own run is chaos from some step: its texts too
        assert.ok(Object.keys(L.REGIME_COLORS).includes(view.regime), `${what}: regime ${view.regime}`);
      } else {
        assert.equal(view.regime, f.regime, `${what}: regime`);
        assert.equal(view.label, f.label, `${what}: label`);
        // a sensitive run's numbers line may round its last digit as a nudged run of lrlab's does
        assert.ok([f.stats, ...(f.nudged || []).map((n) => n.stats)].includes(view.stats), `${what}: stats\n  ${view.stats}\n  ${f.stats}`);
      }
      assert.equal(view.theory, f.theory, `${what}: theory`);
      if (f.map) {
        closeArrays(Array.from(view.map.lrs), f.map.lrs, `${what}: map lrs`, `explorer ${name}`);
        closeArrays(Array.from(view.map.final), f.map.final, `${what}: map`, `explorer ${name}`);
      }
      if (f.rate_info !== undefined) assert.equal(view.rateInfo, f.rate_info, `${what}: rate`);
    }
    for (const p of spec.presets) {              // a preset's controls are within their sliders
      for (const c of spec.controls) {
        const grid = E.controlGrid(c);
        if (c.kind === "slider") assert.ok(grid.index(p.controls[c.name]) >= 0);
      }
    }
    console.log(`# ${name}: ${frames.length} frames`);
    for (const c of chaotic) console.log(`#   chaotic in lrlab itself (compared up to that step only): ${c}`);
    chaotic.length = 0;
    report(`explorer ${name}`);
    for (const k of Object.keys(worst)) if (k.startsWith(`explorer ${name} (`)) report(k);
  });
}
