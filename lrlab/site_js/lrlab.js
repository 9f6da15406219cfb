// lrlab.js: the numerics of lrlab in the browser, operation for operation.
//
// The steppers (torch's SGD with heavy ball or Nesterov momentum, Adagrad, RMSprop, Adam, AdamW), the toy
// losses (quadratics, Rosenbrock, the 1-D curves of wells and steps, least squares with minibatches), the
// loop with lrlab.run's divergence handling, the lr map, the theory of quadratics, the regime label and the
// texts an explorer shows beside its figure. Each function follows the Python function named in its
// comment, in the same order of floating-point operations, so that a run here gives lrlab's numbers: the
// fixtures written by `python -m lrlab.site_fixtures` and checked by tests/js/ (node --test) prove it to a
// relative 1e-12 (most agree to the last bit; exp, tanh, log10 and pow come from another maths library).
//
// lrlab (Python) stays the one definition: change a formula there, then here, and the fixtures tell.
// No dependencies, no DOM: this file runs under node and in a page.

// --------------------------------------------------------------------------- numpy's arithmetic

/** numpy's pairwise summation (loops_utils.h: pairwise_sum), which np.add.reduce uses along a
 * contiguous axis: below 8 terms a plain loop from -0.0, up to 128 eight accumulators, above that halves. */
export function pairwiseSum(a, start = 0, n = a.length - start) {
  if (n < 8) {
    let res = -0.0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6],
      a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    }
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** losses._rowsum: the coordinates added one after the other (d <= 64). */
function rowsum(a) {
  if (a.length > 64) return pairwiseSum(a);
  let acc = a[0];
  for (let i = 1; i < a.length; i++) acc += a[i];
  return acc;
}

/** np.linspace(start, stop, num) (endpoint included): i * step + start, the last one set to stop. */
export function linspace(start, stop, num) {
  const out = new Float64Array(num);
  if (num === 1) { out[0] = start; return out; }
  const div = num - 1, delta = stop - start, step = delta / div;
  for (let i = 0; i < num; i++) out[i] = step === 0 ? (i / div) * delta + start : i * step + start;
  out[num - 1] = stop;
  return out;
}

/** np.geomspace(start, stop, num) for positive start and stop: 10 ** linspace(log10(start), log10(stop)),
 * both ends set exactly. */
export function geomspace(start, stop, num) {
  const y = linspace(Math.log10(start), Math.log10(stop), num);
  const out = new Float64Array(num);
  for (let i = 0; i < num; i++) out[i] = Math.pow(10, y[i]);
  if (num > 0) out[0] = start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** x ** n for an integer n >= 0, rounded once: squaring in double-double arithmetic (about 100 bits), so that
 * the result is the correctly rounded power, as glibc's pow (what Python's float ** int calls) gives it
 * (V8's Math.pow can be an ulp off, which Adam's bias corrections would carry into every step). */
export function powInt(x, n) {
  const SPLIT = 134217729;                               // 2^27 + 1 (Dekker)
  const twoProd = (a, b) => {
    const p = a * b;
    let t = SPLIT * a; const ah = t - (t - a), al = a - ah;
    t = SPLIT * b; const bh = t - (t - b), bl = b - bh;
    return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
  };
  const mul = ([ah, al], [bh, bl]) => {
    const [p, e] = twoProd(ah, bh);
    const err = e + (ah * bl + al * bh);
    const hi = p + err;
    return [hi, err - (hi - p)];
  };
  if (!Number.isFinite(x) || x === 0 || n > 1e6 || Math.abs(x) > 1e150 || Math.abs(x) < 1e-150) return Math.pow(x, n);
  let r = [1, 0], b = [x, 0];
  while (n > 0) {
    if (n & 1) r = mul(r, b);
    n >>= 1;
    if (n > 0) b = mul(b, b);
  }
  return r[0] + r[1];
}

/** Python's round(): to the nearest integer, ties to even. */
export function pyRound(x) {
  const f = Math.floor(x), d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

// --------------------------------------------------------------------------- Python's number formats

/** The exact decimal digits of |x| rounded to `p` significant digits, ties to even (as Python's repr
 * machinery does): {digits: string of p digits, exp: the exponent of the first digit}. */

/** Add one unit in the last place of the decimal digit string ``digits`` (carrying; 99 -> 10, exp + 1). */
function roundUpDigits(digits, exp) {
  const arr = digits.split("").map(Number);
  let i = arr.length - 1;
  while (i >= 0 && arr[i] === 9) { arr[i] = 0; i--; }
  if (i < 0) { arr.unshift(1); arr.pop(); exp += 1; } else arr[i] += 1;
  return { digits: arr.join(""), exp };
}

function roundSig(x, p) {
  // fast path: 4 more digits (rounded) decide, unless they read 5000 (then it may be a tie: look at them all)
  if (p + 3 <= 100) {
    const [m4, e4] = Math.abs(x).toExponential(p + 3).split("e");
    const d4 = m4.replace(".", ""), tail = d4.slice(p);
    if (tail !== "5000") {
      let digits = d4.slice(0, p), exp = parseInt(e4, 10);
      if (tail > "5000") {
        ({ digits, exp } = roundUpDigits(digits, exp));
      }
      return { digits, exp };
    }
  }
  const s = Math.abs(x).toExponential(100);          // exact to 101 digits: enough to see a tie
  const [mant, e] = s.split("e");
  const all = mant.replace(".", "");
  let exp = parseInt(e, 10);
  let digits = all.slice(0, p), rest = all.slice(p);
  let up;
  if (rest[0] > "5") up = true;
  else if (rest[0] < "5") up = false;
  else if (/[1-9]/.test(rest.slice(1))) up = true;
  else up = (parseInt(digits[digits.length - 1] || "0", 10) % 2) === 1;   // an exact tie: to even
  if (up) {
    ({ digits, exp } = roundUpDigits(digits, exp));
  }
  return { digits, exp };
}

/** |x| rounded to `n` decimals, ties to even: the string of its digits without the point and the
 * position of the point (Python's '%.nf'). */
function roundFixed(x, n) {
  const ax = Math.abs(x);
  const frac = n > 0 ? "." + "0".repeat(n) : "";
  if (ax === 0) return "0" + frac;
  if (ax >= 2 ** 53) return BigInt(ax).toString() + frac;     // an integer: its exact digits
  const exp = parseInt(ax.toExponential(100).split("e")[1], 10);   // not rounded up: 101 digits
  const keep = exp + n + 1;                            // significant digits kept
  let digits, pointAt;
  if (keep <= 0) {
    // rounds to 0 or to one unit of the last place: above half of it (a tie goes to the even 0)
    const all = ax.toExponential(100).split("e")[0].replace(".", "");
    const up = keep === 0 && (all[0] > "5" || (all[0] === "5" && /[1-9]/.test(all.slice(1))));
    digits = up ? "1" : "0";
    pointAt = 1 - n;                                   // the digit is the last decimal
  } else {
    const r = roundSig(ax, keep);
    digits = r.digits;
    pointAt = r.exp + 1;                               // digits before the point (one more after a carry)
    if (r.exp > exp) digits += "0";
  }
  if (pointAt <= 0) { digits = "0".repeat(1 - pointAt) + digits; pointAt = 1; }
  const s = digits.padEnd(pointAt + n, "0").slice(0, pointAt + n);
  return n > 0 ? s.slice(0, pointAt) + "." + s.slice(pointAt) : s;
}

/** Python's format(x, spec) for the specs lrlab's texts use: '.3g', 'g', '.2f', 'd', ''. */
export function pyFormat(x, spec = "") {
  if (typeof x === "boolean") x = x ? 1 : 0;
  const m = /^(\.(\d+))?([gfde%]?)$/.exec(spec);
  if (!m) throw new Error(`pyFormat: unsupported format spec ${spec}`);
  const kind = m[3] || (Number.isInteger(x) && spec === "" ? "int" : "r");
  if (kind === "d" || kind === "int") return String(x);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  if (kind === "r") return reprFloat(x);
  if (kind === "f") return sign + roundFixed(x, m[2] === undefined ? 6 : parseInt(m[2], 10));
  if (kind === "%") return sign + roundFixed(x * 100, m[2] === undefined ? 6 : parseInt(m[2], 10)) + "%";
  let p = m[2] === undefined ? 6 : parseInt(m[2], 10);
  if (p === 0) p = 1;
  if (kind === "e") {
    if (x === 0) return sign + "0" + (p > 0 ? "." + "0".repeat(p) : "") + "e+00";
    const r = roundSig(x, p + 1);
    const mant = r.digits[0] + (p > 0 ? "." + r.digits.slice(1) : "");
    return sign + mant + "e" + (r.exp < 0 ? "-" : "+") + String(Math.abs(r.exp)).padStart(2, "0");
  }
  // 'g'
  if (x === 0) return sign + "0";
  const r = roundSig(x, p);
  const X = r.exp;
  let out;
  if (X >= -4 && X < p) {
    let digits = r.digits;
    if (X < 0) digits = "0".repeat(-X) + digits;
    const before = Math.max(X + 1, 1);
    out = digits.slice(0, before) + (digits.length > before ? "." + digits.slice(before) : "");
    if (out.includes(".")) out = out.replace(/0+$/, "").replace(/\.$/, "");
  } else {
    let mant = r.digits[0] + (r.digits.length > 1 ? "." + r.digits.slice(1) : "");
    if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    out = mant + "e" + (X < 0 ? "-" : "+") + String(Math.abs(X)).padStart(2, "0");
  }
  return sign + out;
}

/** Python's repr of a float (the shortest string that reads back the same). */
export function reprFloat(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return (Object.is(x, -0) ? "-" : "") + x.toFixed(1);
  let s = String(x);                                     // JS: shortest round-trip digits too
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-])(\d+)$/.exec(s);
  if (m) {
    const exp = (m[4] === "-" ? -1 : 1) * parseInt(m[5], 10);
    if (exp >= -4 && exp < 16) s = Number(x).toFixed(Math.max(0, -exp + (m[3] ? m[3].length : 0)));
    else s = m[1] + m[2] + (m[3] ? "." + m[3] : "") + "e" + m[4] + m[5].padStart(2, "0");
  } else if (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e16) {
    s = x.toExponential();
    s = s.replace(/e([+-])(\d)$/, "e$10$2");
  }
  return s;
}

// --------------------------------------------------------------------------- steppers (lrlab.steppers)

const neg = (a) => a.map((v) => -v);

/** lrlab.steppers._make_lerp: start + w (end - start), evaluated in torch's lerp branch for |w|. */
function makeLerp(weight) {
  if (Math.abs(weight) < 0.5) return (start, end) => start.map((s, i) => ((end[i] - s) * weight) + s);
  const oneMinusW = 1 - weight;
  return (start, end) => start.map((s, i) => end[i] - ((end[i] - s) * oneMinusW));
}

/** sgd(momentum, dampening, weight_decay, nesterov, maximize): torch.optim.SGD, foreach=False. */
export function sgd({ momentum = 0.0, dampening = 0.0, weight_decay = 0.0, nesterov = false, maximize = false } = {}) {
  if (nesterov && (momentum <= 0 || dampening !== 0)) throw new Error("nesterov=True requires momentum > 0 and dampening == 0");
  const oneMinusDamp = 1 - dampening;
  const hyperparams = { momentum, dampening, weight_decay, nesterov, maximize };
  return {
    kind: "sgd", hyperparams,
    init: () => ({ step: 0, momentum_buffer: null }),
    update(grad, state, params, lr) {
      if (momentum === 0 && weight_decay === 0) {
        const out = maximize ? params.map((p, i) => p + lr * grad[i]) : params.map((p, i) => p - lr * grad[i]);
        return [out, { step: state.step + 1, momentum_buffer: null }];
      }
      let g = maximize ? neg(grad) : grad;
      if (weight_decay !== 0) g = params.map((p, i) => (p * weight_decay) + g[i]);
      let buf = null;
      if (momentum !== 0) {
        const b = state.momentum_buffer;
        if (b === null) buf = g.slice();
        else if (dampening === 0) buf = b.map((v, i) => (v * momentum) + g[i]);
        else buf = b.map((v, i) => (v * momentum) + (oneMinusDamp * g[i]));
        g = nesterov ? buf.map((v, i) => (v * momentum) + g[i]) : buf;
      }
      return [params.map((p, i) => p - lr * g[i]), { step: state.step + 1, momentum_buffer: buf }];
    },
  };
}

function adamLike(kind, { betas = [0.9, 0.999], eps = 1e-8, weight_decay, amsgrad = false, maximize = false }, decoupled) {
  const [beta1, beta2] = betas;
  const lerpM = makeLerp(1 - beta1);
  const oneMinusBeta2 = 1 - beta2;
  return {
    kind, hyperparams: { betas: [beta1, beta2], eps, weight_decay, amsgrad, maximize, decoupled_weight_decay: decoupled },
    init: (params) => ({ step: 0, exp_avg: params.map(() => 0), exp_avg_sq: params.map(() => 0),
      max_exp_avg_sq: amsgrad ? params.map(() => 0) : null }),
    update(grad, state, params, lr) {
      const step = state.step + 1;
      let g = maximize ? neg(grad) : grad;
      if (weight_decay !== 0) {
        if (decoupled) { const f = 1 - lr * weight_decay; params = params.map((p) => p * f); }
        else g = params.map((p, i) => (p * weight_decay) + g[i]);
      }
      const m = lerpM(state.exp_avg, g);
      const v = state.exp_avg_sq.map((s, i) => (s * beta2) + ((oneMinusBeta2 * g[i]) * g[i]));
      let vMax = null, denom;
      if (amsgrad) { vMax = v.map((x, i) => Math.max(state.max_exp_avg_sq[i], x)); denom = vMax.map(Math.sqrt); }
      else denom = v.map(Math.sqrt);
      const bc1 = 1 - powInt(beta1, step);
      const bc2 = 1 - powInt(beta2, step);
      const stepSize = lr / bc1;
      const sq2 = Math.sqrt(bc2);                      // Python's bc2 ** 0.5: both correctly rounded
      denom = denom.map((d) => (d / sq2) + eps);
      const out = params.map((p, i) => p - ((stepSize * m[i]) / denom[i]));
      return [out, { step, exp_avg: m, exp_avg_sq: v, max_exp_avg_sq: vMax }];
    },
  };
}

/** adam(betas, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay): torch.optim.Adam. */
export function adam({ betas, eps, weight_decay = 0.0, amsgrad, maximize, decoupled_weight_decay = false } = {}) {
  return adamLike("adam", { betas, eps, weight_decay, amsgrad, maximize }, decoupled_weight_decay);
}

/** adamw(betas, eps, weight_decay=1e-2, amsgrad, maximize): torch.optim.AdamW. */
export function adamw({ betas, eps, weight_decay = 1e-2, amsgrad, maximize } = {}) {
  return adamLike("adamw", { betas, eps, weight_decay, amsgrad, maximize }, true);
}

/** rmsprop(alpha, eps, weight_decay, momentum, centered, maximize): torch.optim.RMSprop. */
export function rmsprop({ alpha = 0.99, eps = 1e-8, weight_decay = 0.0, momentum = 0.0, centered = false, maximize = false } = {}) {
  const oneMinusAlpha = 1 - alpha;
  const lerpAvg = makeLerp(1 - alpha);
  return {
    kind: "rmsprop", hyperparams: { alpha, eps, weight_decay, momentum, centered, maximize },
    init: (params) => ({ step: 0, square_avg: params.map(() => 0), grad_avg: centered ? params.map(() => 0) : null,
      momentum_buffer: momentum > 0 ? params.map(() => 0) : null }),
    update(grad, state, params, lr) {
      let g = maximize ? neg(grad) : grad;
      if (weight_decay !== 0) g = params.map((p, i) => (p * weight_decay) + g[i]);
      const v = state.square_avg.map((s, i) => (s * alpha) + ((oneMinusAlpha * g[i]) * g[i]));
      let gAvg = null, r;
      if (centered) { gAvg = lerpAvg(state.grad_avg, g); r = v.map((x, i) => Math.sqrt(x - (gAvg[i] * gAvg[i]))); }
      else r = v.map(Math.sqrt);
      r = r.map((x) => x + eps);
      let buf = null, out;
      if (momentum > 0) {
        buf = state.momentum_buffer.map((b, i) => (b * momentum) + (g[i] / r[i]));
        out = params.map((p, i) => p - lr * buf[i]);
      } else out = params.map((p, i) => p - ((lr * g[i]) / r[i]));
      return [out, { step: state.step + 1, square_avg: v, grad_avg: gAvg, momentum_buffer: buf }];
    },
  };
}

/** adagrad(lr_decay, weight_decay, initial_accumulator_value, eps, maximize): torch.optim.Adagrad (dense). */
export function adagrad({ lr_decay = 0.0, weight_decay = 0.0, initial_accumulator_value = 0.0, eps = 1e-10, maximize = false } = {}) {
  return {
    kind: "adagrad", hyperparams: { lr_decay, weight_decay, initial_accumulator_value, eps, maximize },
    init: (params) => ({ step: 0, sum: params.map(() => initial_accumulator_value) }),
    update(grad, state, params, lr) {
      const step = state.step + 1;
      let g = maximize ? neg(grad) : grad;
      if (weight_decay !== 0) g = params.map((p, i) => (p * weight_decay) + g[i]);
      if (lr_decay !== 0) lr = lr / (1 + (step - 1) * lr_decay);
      const s = g.map((x, i) => (x * x) + state.sum[i]);
      const out = params.map((p, i) => p - ((lr * g[i]) / (Math.sqrt(s[i]) + eps)));
      return [out, { step, sum: s }];
    },
  };
}

const STEPPERS = { sgd, adam, adamw, rmsprop, adagrad };

/** A stepper from its spec {kind, hyperparams} (what lrlab.site_fixtures and the pages write). */
export function makeStepper(spec) {
  if (!spec) return sgd();
  const f = STEPPERS[spec.kind];
  if (!f) throw new Error(`unknown stepper ${spec.kind}`);
  return f(spec.hyperparams || {});
}

/** The heavy-ball momentum of a stepper (lrlab.panels.Problem.momentum): 0 for anything but SGD's. */
export function stepperMomentum(stepper) {
  return stepper && stepper.hyperparams && stepper.hyperparams.momentum !== undefined && stepper.kind === "sgd"
    ? stepper.hyperparams.momentum : 0.0;
}

// --------------------------------------------------------------------------- numpy's random stream

// np.random.default_rng(entropy).choice(n, size, replace=False): SeedSequence (O'Neill's seed_seq, numpy's
// pool of 4 words) -> PCG64 (128-bit LCG, XSL-RR output, numpy's buffered 32-bit draws) -> Floyd's sampling
// with a hash set, then a shuffle, each draw by Lemire's bounded method. lrlab.losses.LeastSquares draws
// its minibatches this way; the fixtures compare the indices.

const INIT_A = 0x43b0d7e5, MULT_A = 0x931e8875, INIT_B = 0x8b51f9dd, MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd, MIX_MULT_R = 0x4973f715;

function hashmix(value, hc) {
  value = (value ^ hc.v) >>> 0;
  hc.v = Math.imul(hc.v, MULT_A) >>> 0;
  value = Math.imul(value, hc.v) >>> 0;
  return (value ^ (value >>> 16)) >>> 0;
}
function mixWords(x, y) {
  const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
  return (r ^ (r >>> 16)) >>> 0;
}
/** A non-negative integer as uint32 words, lowest first (0 is one word). */
function uint32Words(n) {
  let v = BigInt(n);
  if (v === 0n) return [0];
  const out = [];
  while (v > 0n) { out.push(Number(v & 0xffffffffn)); v >>= 32n; }
  return out;
}

/** SeedSequence(entropy).generate_state(nWords, uint64) as BigInts. */
export function seedSequenceState(entropy, nWords = 4) {
  const ent = (Array.isArray(entropy) ? entropy : [entropy]).flatMap(uint32Words);
  const pool = [0, 0, 0, 0], hc = { v: INIT_A };
  for (let i = 0; i < 4; i++) pool[i] = hashmix(i < ent.length ? ent[i] : 0, hc);
  for (let src = 0; src < 4; src++) {
    for (let dst = 0; dst < 4; dst++) if (src !== dst) pool[dst] = mixWords(pool[dst], hashmix(pool[src], hc));
  }
  for (let src = 4; src < ent.length; src++) {
    for (let dst = 0; dst < 4; dst++) pool[dst] = mixWords(pool[dst], hashmix(ent[src], hc));
  }
  let h = INIT_B;
  const words = [];
  for (let i = 0; i < 2 * nWords; i++) {
    let d = (pool[i % 4] ^ h) >>> 0;
    h = Math.imul(h, MULT_B) >>> 0;
    d = Math.imul(d, h) >>> 0;
    words.push((d ^ (d >>> 16)) >>> 0);
  }
  const out = [];
  for (let k = 0; k < nWords; k++) out.push((BigInt(words[2 * k + 1]) << 32n) | BigInt(words[2 * k]));
  return out;
}

const MASK64 = (1n << 64n) - 1n, MASK128 = (1n << 128n) - 1n;
const PCG_MULT = (2549297995355413924n << 64n) | 4865540595714422341n;

/** numpy's PCG64 seeded from SeedSequence(entropy). */
export class PCG64 {
  constructor(entropy) {
    const [s0, s1, i0, i1] = seedSequenceState(entropy, 4);
    const initstate = (s0 << 64n) | s1, initseq = (i0 << 64n) | i1;
    this.state = 0n;
    this.inc = ((initseq << 1n) | 1n) & MASK128;
    this.step();
    this.state = (this.state + initstate) & MASK128;
    this.step();
    this.hasUint32 = false; this.uinteger = 0;
  }
  step() { this.state = (this.state * PCG_MULT + this.inc) & MASK128; }
  /** The next 64 bits (XSL-RR), as a BigInt. */
  next64() {
    this.step();
    const x = ((this.state >> 64n) ^ this.state) & MASK64, rot = this.state >> 122n;
    return ((x >> rot) | (x << ((64n - rot) & 63n))) & MASK64;
  }
  /** The next 32 bits: the low half of a 64-bit draw, then its high half. */
  next32() {
    if (this.hasUint32) { this.hasUint32 = false; return this.uinteger; }
    const v = this.next64();
    this.hasUint32 = true;
    this.uinteger = Number(v >> 32n);
    return Number(v & 0xffffffffn);
  }
}

/** random_bounded_uint64(0, rng): a uniform integer in [0, rng], Lemire's method on 32-bit draws. */
function boundedInt(gen, rng) {
  if (rng === 0) return 0;
  const excl = rng + 1;
  let m = gen.next32() * excl;                     // < 2^53 for the populations drawn here
  let leftover = m % 4294967296;
  if (leftover < excl) {
    const threshold = (4294967295 - rng) % excl;
    while (leftover < threshold) { m = gen.next32() * excl; leftover = m % 4294967296; }
  }
  return Math.floor(m / 4294967296);
}

/** Generator.choice(n, size, replace=False) with numpy's algorithm for n <= 10000 (Floyd, then shuffle). */
export function choiceWithoutReplacement(gen, n, size) {
  if (n > 10000) throw new Error("choice: only populations up to 10000 are ported (Floyd's branch)");
  const out = new Array(size);
  let mask = Math.floor(1.2 * size);                // _gen_mask: the smallest 2^k - 1 >= 1.2 size
  mask |= mask >>> 1; mask |= mask >>> 2; mask |= mask >>> 4; mask |= mask >>> 8; mask |= mask >>> 16;
  const set = new Int32Array(mask + 1).fill(-1);
  for (let j = n - size; j < n; j++) {
    const val = boundedInt(gen, j);
    let loc = val & mask;
    while (set[loc] !== -1 && set[loc] !== val) loc = (loc + 1) & mask;
    if (set[loc] === -1) { set[loc] = val; out[j - n + size] = val; }
    else {
      loc = j & mask;
      while (set[loc] !== -1) loc = (loc + 1) & mask;
      set[loc] = j; out[j - n + size] = j;
    }
  }
  for (let i = size - 1; i >= 1; i--) {            // _shuffle_int(size, 1)
    const j = boundedInt(gen, i);
    const t = out[j]; out[j] = out[i]; out[i] = t;
  }
  return out;
}

/** LeastSquares.minibatch(t): the rows np.random.default_rng((seed, t)).choice(n, B, replace=False) draws. */
export const minibatchRows = (seed, t, n, B) => choiceWithoutReplacement(new PCG64([seed, t]), n, B);

// --------------------------------------------------------------------------- losses (lrlab.losses)

/** lrlab.losses.Quadratic: 0.5 (x-c)^T A (x-c), A given as curvatures (diagonal) or a symmetric matrix.
 * `eigenvalues` (sorted) are the Hessian's; for a full matrix they are passed in (numpy's eigvalsh). */
export function quadratic({ curvatures = null, matrix = null, center = null, eigenvalues = null, bounds = null }) {
  const diagonal = curvatures !== null;
  const dim = diagonal ? curvatures.length : matrix.length;
  const c = center || new Array(dim).fill(0);
  const ev = eigenvalues || (diagonal ? [...curvatures].sort((a, b) => a - b) : null);
  if (!ev) throw new Error("a quadratic given by a matrix needs its eigenvalues");
  const A = diagonal ? curvatures.map((v, i) => curvatures.map((_, j) => (i === j ? v : 0))) : matrix;
  return {
    kind: "quadratic", dim, diagonal, curvatures, matrix: A, center: c, eigenvalues: ev,
    minimizer: c.slice(), min_value: 0.0, L: ev[ev.length - 1], mu: ev[0],
    bounds: bounds || c.map((v) => [v - 1.6, v + 1.6]),
    valueAndGrad(x) {
      const diff = x.map((v, i) => v - c[i]);
      let g;
      if (diagonal) g = diff.map((d, i) => curvatures[i] * d);
      else g = A.map((row) => pairwiseSum(diff.map((d, j) => d * row[j])));
      return [0.5 * rowsum(diff.map((d, i) => d * g[i])), g];
    },
    value(x) { return this.valueAndGrad(x)[0]; },
  };
}

/** lrlab.losses.Rosenbrock: (a-x)^2 + b (y-x^2)^2. */
export function rosenbrock({ a = 1.0, b = 100.0, bounds = null } = {}) {
  return {
    kind: "rosenbrock", dim: 2, a, b, minimizer: [a, a * a], min_value: 0.0,
    bounds: bounds || [[a - 3.0, a + 1.5], [a * a - 2.0, a * a + 3.0]],
    valueAndGrad(x) {
      const u = x[0], v = x[1];
      let r = a - u;
      const s = v - (u * u);
      const bs = b * s;
      const f = (r * r) + (bs * s);
      let g0 = (u * bs) * -4.0;
      r = r * 2.0;
      g0 = g0 - r;
      return [f, [g0, bs * 2.0]];
    },
    value(x) {
      const u = x[0], v = x[1], r = a - u, s = v - u * u;
      return (r * r) + ((b * s) * s);
    },
  };
}

/** lrlab.losses.Curve1D: k/2 (x-c)^2 - sum h exp(-(x-m)^2 / 2s^2) + sum p tanh((x-q)/w).
 * Its local minima are found as lrlab finds them (sign changes of f' on a grid, then bisection). */
export function curve1d({ k, c, wells = [], steps = [], name = "curve", bounds = [[-3.0, 3.0]] }) {
  const loss = {
    kind: "curve1d", dim: 1, k, c, wells, steps, name, bounds,
    valueAndGrad(x) {
      const u = x[0];
      const d = u - c;
      let f = ((0.5 * k) * d) * d;
      let g = k * d;
      for (const [h, m, s] of wells) {
        const z = (u - m) / s;
        const e = h * Math.exp((-0.5 * z) * z);
        f = f - e;
        g = g + ((e * z) / s);
      }
      for (const [p, q, w] of steps) {
        const th = Math.tanh((u - q) / w);
        f = f + p * th;
        g = g + ((p * (1.0 - th * th)) / w);
      }
      return [f, [g]];
    },
    value(x) { return this.valueAndGrad(x)[0]; },
    /** The size of the terms f' adds up at x: near a minimum they cancel, and f' is known only to an ulp of
     * this (exp and tanh are computed by another maths library than numpy's, an ulp apart at times). */
    valueScale(x) {
      const u = x[0], d = u - c;
      let s = Math.abs(((0.5 * k) * d) * d);
      for (const [h, m, w] of wells) { const z = (u - m) / w; s += Math.abs(h * Math.exp(-0.5 * z * z)); }
      for (const [p, q, w] of steps) s += Math.abs(p * Math.tanh((u - q) / w));
      return s;
    },
    gradScale(x) {
      const u = x[0];
      let s = Math.abs(k * (u - c));
      for (const [h, m, w] of wells) { const z = (u - m) / w; s += Math.abs((h * Math.exp(-0.5 * z * z) * z) / w); }
      // p (1 - th^2) / w: th an ulp or two off moves 1 - th^2 by ulps of 1, however small 1 - th^2 is
      for (const [p, , w] of steps) s += Math.abs(p / w);
      return s;
    },
  };
  const [lo, hi] = bounds[0];
  const grid = linspace(lo - 2.0, hi + 2.0, 40001);
  const gr = (u) => loss.valueAndGrad([u])[1][0];
  const mins = [];
  let prev = gr(grid[0]);
  for (let i = 0; i + 1 < grid.length; i++) {
    const next = gr(grid[i + 1]);
    if (prev < 0 && next >= 0) {
      let a = grid[i], b = grid[i + 1];
      for (let it = 0; it < 60; it++) {
        const mid = 0.5 * (a + b);
        if (gr(mid) < 0) a = mid; else b = mid;
      }
      mins.push(0.5 * (a + b));
    }
    prev = next;
  }
  const withValue = mins.map((m) => [loss.value([m]), m]);
  withValue.sort((p, q) => p[0] - q[0]);            // Python's sorted(..., key=value): stable
  loss.local_minima = withValue.map((p) => p[1]);
  loss.minimizer = [loss.local_minima[0]];
  loss.min_value = loss.value(loss.minimizer);
  /** f''(x) by a central difference of the exact gradient (Curve1D.curvature). */
  loss.curvature = (x) => (gr(x + 1e-5) - gr(x - 1e-5)) / (2 * 1e-5);
  return loss;
}

/** lrlab.losses.two_wells(). */
export const twoWells = () => curve1d({ k: 0.4, c: 2.0, wells: [[1.0, -1.0, 0.2]], name: "two_wells", bounds: [[-2.5, 3.5]] });
/** lrlab.losses.plateau(). */
export const plateau = () => curve1d({ k: 0.004, c: 2.0, steps: [[-1.0, 0.5, 0.6]], name: "plateau", bounds: [[-5.0, 4.0]] });

/** lrlab.losses.LeastSquares: (1/2n) |Xw - y|^2. `batches(t)` gives minibatch t's row indices (or null for
 * every row): lrlab draws them with numpy's PCG64 seeded by (seed, t), which this file does not reproduce,
 * so the pages carry the indices lrlab drew (lrlab.site writes them). `minimizer`, `min_value`,
 * `eigenvalues` come with the data (numpy's lstsq and eigvalsh). */
export function leastSquares({ X, y, minimizer, min_value, eigenvalues, batches = null, batch_size = null, bounds = null }) {
  const n = X.length, dim = X[0].length;
  const Xf = new Float64Array(n * dim);                  // row-major, as the Python arrays
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) Xf[i * dim + j] = X[i][j];
  const Y = Float64Array.from(y);
  let r = new Float64Array(n), work = new Float64Array(n);
  /** X[rows] @ w - y[rows] (np.add.reduce over the features: a loop from -0.0 below 8 of them). */
  function residual(w, rows) {
    const m = rows ? rows.length : n;
    if (r.length < m) { r = new Float64Array(m); work = new Float64Array(m); }
    for (let k = 0; k < m; k++) {
      const i = rows ? rows[k] : k, o = i * dim;
      let acc;
      if (dim < 8) { acc = -0.0; for (let j = 0; j < dim; j++) acc += w[j] * Xf[o + j]; }
      else { const prod = new Float64Array(dim); for (let j = 0; j < dim; j++) prod[j] = w[j] * Xf[o + j]; acc = pairwiseSum(prod); }
      r[k] = acc - Y[i];
    }
    return m;
  }
  function halfMeanSquare(m) {
    for (let k = 0; k < m; k++) work[k] = r[k] * r[k];
    return (0.5 * pairwiseSum(work, 0, m)) / m;
  }
  function gradient(rows, m) {
    const g = new Array(dim);
    for (let j = 0; j < dim; j++) {
      for (let k = 0; k < m; k++) work[k] = r[k] * Xf[(rows ? rows[k] : k) * dim + j];
      g[j] = pairwiseSum(work, 0, m) / m;
    }
    return g;
  }
  function valueAndGrad(w, rows = null) {
    const m = residual(w, rows);
    const f = halfMeanSquare(m);
    return [f, gradient(rows, m)];
  }
  const loss = {
    kind: "least_squares", dim, n, X, y, minimizer, min_value, eigenvalues, batch_size,
    L: eigenvalues[eigenvalues.length - 1], mu: eigenvalues[0],
    bounds: bounds || minimizer.map((v) => { const s = Math.max(Math.abs(v), 1.0) * 1.5; return [v - s, v + s]; }),
    valueAndGrad: (w) => valueAndGrad(w, null),
    value(w) { return halfMeanSquare(residual(w, null)); },
    stochastic: batch_size !== null && batches !== null,
    minibatch: (t) => (batches ? batches(t) : null),
    sampleGrad(w, t) { const rows = batches ? batches(t) : null; return gradient(rows, residual(w, rows)); },
  };
  return loss;
}

/** A loss from its spec (what lrlab.site_fixtures and the pages write: lrlab.site.loss_spec). */
export function makeLoss(spec) {
  switch (spec.kind) {
    case "quadratic": return quadratic(spec);
    case "rosenbrock": return rosenbrock(spec);
    case "curve1d": return curve1d(spec);
    case "least_squares": {
      let batches = null;
      if (spec.batch_size !== null && spec.batch_size !== undefined && spec.batch_size !== spec.X.length) {
        // LeastSquares.minibatch(t), drawn here as numpy draws it; cached, a run asks for each t once
        const cache = new Map(), n = spec.X.length, B = spec.batch_size, seed = spec.seed || 0;
        batches = (t) => {
          if (!cache.has(t)) { if (cache.size > 5000) cache.clear(); cache.set(t, minibatchRows(seed, t, n, B)); }
          return cache.get(t);
        };
      }
      return leastSquares({ ...spec, batches });
    }
    default: throw new Error(`unknown loss ${spec.kind}`);
  }
}

// --------------------------------------------------------------------------- the loop (lrlab.run)

/** lrlab.loop._grad_norm: sqrt of the squares added coordinate by coordinate. */
function gradNorm(g) {
  if (g.length > 64) return Math.sqrt(pairwiseSum(g.map((v) => v * v)));
  let acc = g[0] * g[0];
  for (let i = 1; i < g.length; i++) acc += g[i] * g[i];
  return Math.sqrt(acc);
}

const FLOAT_MAX = 1.7976931348623157e308;

/** lrlab.run for one trajectory: `lr` a number, an array of per-step lrs, or a function t -> lr.
 *
 * Divergence is an outcome: from the first record whose loss is not finite or above
 * divergence_threshold * (1 + |f(x0)|) the trajectory is frozen there (params kept, loss and gradient norm
 * inf), as lrlab.run records it. With {record: false} only the final record is kept (the lr map). */
export function run(loss, stepper, x0, lr, numSteps, { divergenceThreshold = 1e10, record = true } = {}) {
  stepper = stepper || sgd();
  const lrAt = typeof lr === "function" ? lr : Array.isArray(lr) || ArrayBuffer.isView(lr) ? (t) => lr[t] : () => lr;
  const stochastic = !!loss.stochastic;
  const evaluate = stochastic ? (x, t) => [loss.value(x), loss.sampleGrad(x, t)] : (x) => loss.valueAndGrad(x);
  const T = numSteps;
  const P = record ? new Array(T + 1) : null;
  const F = record ? new Float64Array(T + 1) : null;
  const G = record ? new Float64Array(T + 1) : null;
  const lrs = record ? new Float64Array(T) : null;
  let x = Array.from(x0, Number);
  let [f, g] = evaluate(x, 0);
  const limit = Math.min(divergenceThreshold * (1.0 + Math.abs(f)), FLOAT_MAX);
  let state = stepper.init(x);
  let divergedAt = -1, last = { f, g: gradNorm(g), x };
  for (let t = 0; ; t++) {
    const gn = gradNorm(g);
    if (!(f <= limit)) {                          // NaN, inf, or past the threshold: frozen from here
      divergedAt = t;
      if (record) {
        for (let s = t; s <= T; s++) { P[s] = x; F[s] = Infinity; G[s] = Infinity; }
        for (let s = t; s < T; s++) lrs[s] = lrAt(s);
      }
      last = { f: Infinity, g: Infinity, x };
      break;
    }
    if (record) { P[t] = x; F[t] = f; G[t] = gn; }
    last = { f, g: gn, x };
    if (t === T) break;
    const lrT = lrAt(t);
    if (record) lrs[t] = lrT;
    [x, state] = stepper.update(g, state, x, lrT);
    [f, g] = evaluate(x, t + 1);
  }
  const lossMin = loss.min_value === undefined ? null : loss.min_value;
  if (!record) return { final: last, diverged: divergedAt >= 0, divergedAt, lossMin, numSteps: T };
  return { params: P, loss: F, gradNorm: G, lr: lrs, diverged: divergedAt >= 0, divergedAt, lossMin, numSteps: T };
}

/** plotting.gap: the loss minus the known minimum (the loss itself when it is unknown). */
export function gap(traj) {
  const m = traj.lossMin || 0.0;
  return traj.loss.map((v) => v - m);
}

/** The final loss of SGD (any momentum) on a diagonal quadratic, without a record: the arithmetic of
 * `quadratic().valueAndGrad`, `sgd().update` and `run`, one coordinate at a time, nothing allocated per step
 * (the lr map runs thousands of these). Same bits as run(...).final.f. */
function finalOnDiagonalQuadratic(loss, hp, x0, lr, T, divergenceThreshold) {
  const curv = loss.curvatures, c = loss.center, d = curv.length;
  const { momentum = 0, dampening = 0, weight_decay: wd = 0, nesterov = false, maximize = false } = hp;
  const oneMinusDamp = 1 - dampening, plain = momentum === 0 && wd === 0;
  const x = Float64Array.from(x0, Number), g = new Float64Array(d), buf = new Float64Array(d);
  let f = 0;
  const evaluate = () => {
    let acc = 0;
    for (let i = 0; i < d; i++) {
      const diff = x[i] - c[i];
      g[i] = curv[i] * diff;
      const p = diff * g[i];
      acc = i === 0 ? p : acc + p;
    }
    f = 0.5 * acc;
  };
  evaluate();
  const limit = Math.min(divergenceThreshold * (1.0 + Math.abs(f)), FLOAT_MAX);
  for (let t = 0; ; t++) {
    if (!(f <= limit)) return Infinity;
    if (t === T) return f;
    const lrT = typeof lr === "number" ? lr : lr[t];
    for (let i = 0; i < d; i++) {
      if (plain) { x[i] = maximize ? x[i] + lrT * g[i] : x[i] - lrT * g[i]; continue; }
      let gi = maximize ? -g[i] : g[i];
      if (wd !== 0) gi = (x[i] * wd) + gi;
      if (momentum !== 0) {
        if (t === 0) buf[i] = gi;
        else if (dampening === 0) buf[i] = (buf[i] * momentum) + gi;
        else buf[i] = (buf[i] * momentum) + (oneMinusDamp * gi);
        gi = nesterov ? (buf[i] * momentum) + gi : buf[i];
      }
      x[i] = x[i] - lrT * gi;
    }
    evaluate();
  }
}

/** The final loss of a run (lrlab.run(...).loss[-1]): inf if it diverged. */
export function finalLoss(loss, stepper, x0, lr, numSteps, { divergenceThreshold = 1e10 } = {}) {
  stepper = stepper || sgd();
  if (loss.kind === "quadratic" && loss.diagonal && stepper.kind === "sgd") {
    return finalOnDiagonalQuadratic(loss, stepper.hyperparams, x0, lr, numSteps, divergenceThreshold);
  }
  return run(loss, stepper, x0, lr, numSteps, { divergenceThreshold, record: false }).final.f;
}

/** The lr map (lrlab.panels.MapPanel): the final loss gap of a run at every lr of `lrs`. */
export function lrMap(loss, stepper, x0, lrs, numSteps, opts = {}) {
  const m = loss.min_value || 0.0;
  const out = new Float64Array(lrs.length);
  for (let i = 0; i < lrs.length; i++) out[i] = finalLoss(loss, stepper, x0, lrs[i], numSteps, opts) - m;
  return out;
}

// --------------------------------------------------------------------------- diagnostics

/** diagnostics.first_step_below(values, level, relative_to_start): the first t with values[t] <= threshold. */
export function firstStepBelow(values, level, { relativeToStart = false, strict = false, stay = false } = {}) {
  const thr = relativeToStart ? level * values[0] : level;
  const ok = Array.from(values, (v) => (strict ? v < thr : v <= thr));
  if (stay) {
    for (let t = ok.length - 2; t >= 0; t--) ok[t] = ok[t] && ok[t + 1];
    return ok[ok.length - 1] ? ok.indexOf(true) : -1;
  }
  return ok.indexOf(true);
}

/** numpy's max over an axis: NaN if any value is NaN. */
function npMax(values) {
  let m = -Infinity;
  for (const v of values) { if (Number.isNaN(v)) return NaN; if (v > m) m = v; }
  return m;
}

/** diagnostics._blew_up_or_grew: flagged, a non-finite loss, or a final gap above the initial one. */
function blewUpOrGrew(traj) {
  const loss = traj.loss, T = traj.numSteps;
  let grew;
  if (traj.lossMin !== null && traj.lossMin !== undefined) {
    const gap0 = loss[0] - traj.lossMin, gapT = loss[T] - traj.lossMin;
    grew = gapT > gap0 * (1 + 1e-12) + 1e-300;
  } else grew = loss[T] > loss[0] + 1e-12 * Math.abs(loss[0]);
  return traj.diverged || Array.from(loss).some((v) => !Number.isFinite(v)) || grew;
}

/** diagnostics._reversals: how many times a non-negligible step points back (more than 90 degrees from the
 * step before), steps longer than 1e-12 of the longest counting. */
function reversals(traj) {
  const P = traj.params, T = traj.numSteps, d = P[0].length;
  const steps = [];
  for (let t = 0; t < T; t++) { const s = new Float64Array(d); for (let j = 0; j < d; j++) s[j] = P[t + 1][j] - P[t][j]; steps.push(s); }
  const dot = (a, b) => { let acc = a[0] * b[0]; for (let j = 1; j < d; j++) acc += a[j] * b[j]; return acc; };
  const size = steps.map((s) => Math.sqrt(dot(s, s)));
  const biggest = T ? npMax(size) : 0;
  const active = size.map((v) => v > 1e-12 * biggest);
  let back = 0;
  for (let t = 0; t + 1 < T; t++) {
    if (active[t + 1] && active[t] && biggest > 0 && dot(steps[t + 1], steps[t]) < 0) back++;
  }
  return back;
}

/** diagnostics.path_shape(traj): 'diverging', 'oscillating' (the step turned back at least min_flips times)
 * or 'monotone'. */
export function pathShape(traj, { minFlips = 2 } = {}) {
  if (blewUpOrGrew(traj)) return "diverging";
  return reversals(traj) >= minFlips ? "oscillating" : "monotone";
}

/** diagnostics.progress(traj): the fraction of the loss gap closed (NaN if a loss is not finite). */
export function progress(traj, minValue = null) {
  const fStar = minValue === null ? traj.lossMin : minValue;
  if (fStar === null || fStar === undefined) throw new Error("the loss's minimum is not known");
  const loss = traj.loss, T = traj.numSteps;
  if (Array.from(loss).some((v) => !Number.isFinite(v))) return NaN;
  const gap0 = loss[0] - fStar, gapT = Math.max(loss[T] - fStar, 0.0);
  const frac = gap0 > 0 ? 1.0 - gapT / gap0 : gapT > 0 ? -Infinity : 1.0;
  return Math.min(frac, 1.0);
}

/** diagnostics.progress_text(p): '70% of the loss gap closed', 'the loss gap grew 3.1×', '' for NaN. */
export function progressText(p) {
  if (Number.isNaN(p)) return "";
  if (p < 0) return Number.isFinite(p) ? `the loss gap grew ${pyFormat(1.0 - p, ".2g")}×` : "the loss gap grew from 0";
  const pct = 100.0 * p;
  let words;
  if (pct >= 100.0) words = "100%";
  else if (pct > 99.0) words = "over 99%";
  else if (pct >= 1.0) words = `${Math.min(pyRound(pct), 99)}%`;
  else words = pct > 0 ? `${pyFormat(pct, ".1g")}%` : "0%";
  return `${words} of the loss gap closed`;
}

// --------------------------------------------------------------------------- theory (lrlab.theory)

/** theory.critical_lr: 2 (1 + beta) / L. */
export const criticalLr = (loss, momentum = 0.0) => (2.0 * (1.0 + momentum)) / loss.eigenvalues[loss.eigenvalues.length - 1];
/** theory.optimal_lr: 2 / (mu + L). */
export const optimalLr = (loss) => 2.0 / (loss.eigenvalues[0] + loss.eigenvalues[loss.eigenvalues.length - 1]);
/** theory.nesterov_critical_lr: 2 (1 + beta) / ((1 + 2 beta) L). */
export const nesterovCriticalLr = (loss, momentum) =>
  (2.0 * (1.0 + momentum)) / ((1.0 + 2.0 * momentum) * loss.eigenvalues[loss.eigenvalues.length - 1]);

/** theory.optimal_momentum: Polyak's (lr, beta). */
export function optimalMomentum(loss) {
  const ev = loss.eigenvalues, mu = ev[0], L = ev[ev.length - 1];
  const sL = Math.sqrt(L), smu = Math.sqrt(mu);
  return [4.0 / Math.pow(sL + smu, 2), Math.pow((sL - smu) / (sL + smu), 2)];
}

/** theory.convergence_rate: the spectral radius of GD / heavy ball on the quadratic (inf where it overflows). */
export function convergenceRate(loss, lr, momentum = 0.0) {
  const beta = momentum;
  let rho = -Infinity;
  for (const ev of loss.eigenvalues) {
    const b = (1.0 + beta) - lr * ev;
    const disc = b * b - 4.0 * beta;
    const sq = Math.sqrt(Math.abs(disc));
    const real = Math.max(Math.abs(b + sq), Math.abs(b - sq)) / 2.0;
    const r = disc >= 0 ? real : Math.sqrt(beta);
    if (Number.isNaN(r)) { rho = NaN; break; }
    if (r > rho) rho = r;
  }
  return Number.isNaN(rho) ? Infinity : rho;
}

//: theory.REGIMES, EDGE_RTOL and the angle below which a root counts as positive real
export const REGIMES = ["monotone convergence", "oscillating convergence", "no convergence", "divergence"];
const EDGE_RTOL = 1e-12, ANGLE_TOL = 1e-6;

/** theory.momentum_roots(h)[0] as numpy computes it: the root of larger modulus of z^2 - b z + c
 * (heavy ball: b = 1 + beta - h, c = beta; Nesterov: b = (1 + beta)(1 - h), c = beta (1 - h)), as
 * [re, im]; NaN where h is not finite. */
export function dominantRoot(h, beta, nesterov = false) {
  if (!Number.isFinite(h)) return [NaN, NaN];
  const b = nesterov ? (1.0 + beta) * (1.0 - h) : (1.0 + beta) - h;
  const c = nesterov ? beta * (1.0 - h) : beta;
  const d = b * b - 4.0 * c;
  if (d >= 0) {                                    // numpy's complex sqrt of (d + 0j): (sqrt(d), 0)
    const s = Math.sqrt(d), z1 = (b + s) * 0.5, z2 = (b - s) * 0.5;
    return Math.abs(z2) > Math.abs(z1) ? [z2 + 0, 0] : [z1 + 0, 0];
  }
  if (Number.isNaN(d)) return [NaN, NaN];
  const s = Math.sqrt(-d);                        // (0, sqrt(-d)): the roots (b ± i s) / 2, equal moduli
  return [b * 0.5, s * 0.5];
}

/** theory.regime(loss, lr, momentum, nesterov): 'monotone convergence', 'oscillating convergence',
 * 'no convergence' (on the edge, or lr = 0) or 'divergence', for GD, heavy ball or Nesterov on a quadratic. */
export function regime(loss, lr, momentum = 0.0, nesterov = false) {
  const ev = loss.eigenvalues.filter((v) => v > 0);
  const beta = momentum;
  const h = ev.map((v) => lr * v);
  const hc = (2.0 * (1.0 + beta)) / (nesterov ? 1.0 + 2.0 * beta : 1.0);
  const top = h[h.length - 1];
  const edge = Math.abs(top - hc) <= EDGE_RTOL * hc || h[0] <= EDGE_RTOL * hc;
  const grows = top > hc && !edge;
  if (grows) return REGIMES[3];
  if (edge) return REGIMES[2];
  const overshoots = h.some((hi) => {
    const [re, im] = dominantRoot(hi, beta, nesterov);
    return Math.abs(Math.atan2(im, re)) > ANGLE_TOL;
  });
  return overshoots ? REGIMES[1] : REGIMES[0];
}

/** explorer.quadratic_theory(scene): {momentum, nesterov} where theory.regime applies (GD, heavy ball or
 * Nesterov without dampening, weight decay or maximize, on a loss with known eigenvalues), else null. */
export function quadraticTheory(loss, stepperSpec) {
  if (!loss.eigenvalues) return null;
  if (!stepperSpec) return { momentum: 0.0, nesterov: false };
  const hp = stepperSpec.hyperparams || {};
  if (stepperSpec.kind !== "sgd" || hp.maximize || (hp.dampening || 0) !== 0 || (hp.weight_decay || 0) !== 0) return null;
  return { momentum: hp.momentum || 0.0, nesterov: !!hp.nesterov };
}

// --------------------------------------------------------------------------- the explorer's texts

//: plotting.PALETTE, REGIME_COLORS, TEXT_COLORS
export const PALETTE = { black: "#000000", orange: "#E69F00", sky: "#56B4E9", green: "#009E73", yellow: "#F0E442",
  blue: "#0072B2", vermillion: "#D55E00", purple: "#CC79A7", grey: "#7F7F7F" };
export const REGIME_COLORS = { "monotone convergence": PALETTE.green, "oscillating convergence": PALETTE.orange,
  "no convergence": PALETTE.purple, divergence: PALETTE.vermillion, monotone: PALETTE.green, oscillating: PALETTE.orange,
  diverging: PALETTE.vermillion, slow: PALETTE.sky, converging: PALETTE.green };
export const TEXT_COLORS = { green: "#00755A", vermillion: "#A84A00" };

/** html.escape(s, quote=True). */
export function escapeHtml(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    .replace(/'/g, "&#x27;");
}

/** plotting.regime_badge(regime, progress): the coloured label, the word always shown, the progress beside it. */
export function regimeBadge(regime, progressValue = null) {
  const color = REGIME_COLORS[regime] || "#d9d9d9";
  const word = escapeHtml(regime);
  const text = progressValue === null || progressValue === undefined ? "" : progressText(progressValue);
  const detail = text ? `<span class="lrlab-progress" style="font-weight:normal"> · ${escapeHtml(text)}</span>` : "";
  return `<span class="lrlab-regime" data-regime="${word}" style="background:${color};color:#000;`
    + `padding:2px 10px;border-radius:10px;font-weight:bold;font-size:1.1em">${word}${detail}</span>`;
}

/** widgets.theory_text(loss, momentum): 1/L and the stability limit, or that there is none. */
export function theoryText(loss, momentum = 0.0) {
  if (!loss.eigenvalues) return '<span class="lrlab-theory">no closed-form limit for this loss: explore!</span>';
  const L = loss.eigenvalues[loss.eigenvalues.length - 1];
  const crit = criticalLr(loss, momentum);
  const name = momentum === 0 ? "2/L" : "2(1+β)/L";
  return `<span class="lrlab-theory">theory: <b style="color:${TEXT_COLORS.green}">1/L = ${pyFormat(1 / L, ".3g")}</b> `
    + `(fastest along the steepest direction) · <b style="color:${TEXT_COLORS.vermillion}">${name} = ${pyFormat(crit, ".3g")}</b> `
    + "(stability limit)</span>";
}

/** The theory marks an explorer draws on its lr axis: [{lr, label}] (plotting.theory_lines). */
export function theoryMarks(loss, momentum = 0.0) {
  if (!loss.eigenvalues) return [];
  const L = loss.eigenvalues[loss.eigenvalues.length - 1];
  return [{ lr: 1.0 / L, label: "1/L", color: PALETTE.green },
    { lr: criticalLr(loss, momentum), label: momentum === 0 ? "2/L" : "2(1+β)/L", color: PALETTE.vermillion }];
}

/** explorer.problem_stats(view): the numbers line of a Problem scene, as a list of HTML parts. */
export function problemStats(lr, scene, traj) {
  const g = gap(traj);
  const parts = [`lr = <b>${pyFormat(lr, ".3g")}</b>`];
  if (scene.loss.eigenvalues) parts.push(`lr·L = <b>${pyFormat(lr * scene.loss.eigenvalues[scene.loss.eigenvalues.length - 1], ".3g")}</b>`);
  if (traj.diverged) parts.push(`diverged at step <b>${traj.divergedAt}</b>`);
  else parts.push(`loss − min after ${scene.numSteps} steps = <b>${pyFormat(g[g.length - 1], ".3g")}</b>`);
  const k = firstStepBelow(g, scene.tol, { relativeToStart: true });
  parts.push(`steps to ${pyFormat(scene.tol, "g")}× the initial gap: <b>${k >= 0 ? k : `> ${scene.numSteps}`}</b>`);
  return parts;
}

/** The explorer's stats widget value: the parts joined, in lrlab's span. */
export const statsHtml = (parts) => `<span class="lrlab-stats">${parts.join(" · ")}</span>`;

// --------------------------------------------------------------------------- the lr slider (lrlab.widgets)

/** widgets.lr_slider's grid: exponents lo + k*step, k = 0..steps (base 10). */
export function logSlider(min, max, steps = 240) {
  const lo = Math.log10(min), hi = Math.log10(max);
  return { lo, hi, step: (hi - lo) / steps, steps, base: 10 };
}

/** The value at position k of a log slider: base ** min(lo + k*step, hi). */
export const sliderValue = (s, k) => Math.pow(s.base, Math.min(s.lo + k * s.step, s.hi));

/** widgets.snap_to_slider: the grid position of `value` (Python's round: ties to even). */
export function snapIndex(s, value) {
  const e = Math.min(Math.max(Math.log(value) / Math.log(s.base), s.lo), s.hi);
  return pyRound((e - s.lo) / s.step);
}

/** widgets.snap_to_slider: `value` moved onto the slider's grid. */
export const snapToSlider = (s, value) => sliderValue(s, snapIndex(s, value));
