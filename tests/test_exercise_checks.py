"""Every exercise check accepts the right answer and rejects wrong ones (the answer keys live here,
never in the students' notebooks; tools/solutions.py holds the instructors' worked answers)."""
import numpy as np

import lrlab
from lrlab import losses, steppers, theory
from lrlab.lessons import (adaptive_optimizers, batch_size, beyond_the_lr, debugging, finding_a_good_lr, momentum,
                           schedules, start_here, too_high_too_low, update_rule)


def test_00_start_here():
    assert start_here.check_edge(0.8) and start_here.check_edge(0.79)
    assert not start_here.check_edge(1.0)                       # w²'s edge, printed in the notebook: not this bowl's
    assert not start_here.check_edge(0.8001) and not start_here.check_edge(0.5) and not start_here.check_edge(None)
    runs = lrlab.run(loss=losses.quadratic([start_here.EXERCISE_LAM]), x0=[1.5], lr=[0.79, 0.81], num_steps=500)
    assert runs.loss[-1, 0] < 1e-6 * runs.loss[0, 0] and (runs.diverged[1] or runs.loss[-1, 1] > runs.loss[0, 1])


def test_01_update_rule():
    assert update_rule.check_one_step(1.2) and not update_rule.check_one_step(1.8)
    assert update_rule.check_sum_lr(0.1 * 100**2 / 32) and update_rule.check_sum_lr(31.3)   # rounded is right too
    assert not update_rule.check_sum_lr(0.1 / 32) and not update_rule.check_sum_lr(1000.0)    # one change only
    assert not update_rule.check_sum_lr(0.3125) and not update_rule.check_sum_lr(32.0)
    assert update_rule.check_one_step_lr(0.2) and not update_rule.check_one_step_lr(0.5)      # 0.5 is w²'s answer
    assert not update_rule.check_one_step_lr(0.4) and not update_rule.check_one_step_lr(None)   # 2/L: bounces
    # the answer is true: one step of lr 0.2 from any start lands on w = 1
    bowl = losses.quadratic([update_rule.ONE_STEP_CURVATURE], center=[update_rule.ONE_STEP_CENTER])
    one = lrlab.run(loss=bowl, stepper=steppers.sgd(), x0=[[-3.0], [0.5], [7.0]], lr=0.2, num_steps=1)
    assert np.allclose(one.params[1], 1.0, atol=1e-12)
    assert not update_rule.check_one_step(None) and not update_rule.check_sum_lr(None)


def test_02_too_high_too_low():
    lesson = too_high_too_low
    assert lesson.check_largest_lr(2 / 9) and lesson.check_largest_lr(0.222) and not lesson.check_largest_lr(0.2223)
    assert not lesson.check_largest_lr(0.4) and not lesson.check_largest_lr(2.0)   # 2/5: the diagonal entries
    assert not lesson.check_largest_lr(0.25)                     # 1/L of the lesson's 1-D bowl, printed throughout
    assert not lesson.check_largest_lr(None)
    assert "0.2223 is past" in lesson.check_largest_lr(0.2223).message
    assert lesson.check_regime("oscillating convergence") and not lesson.check_regime("monotone convergence")
    assert not lesson.check_regime("divergence") and not lesson.check_regime(None)
    assert lesson.check_flat_steps(181) and not lesson.check_flat_steps(10) and not lesson.check_flat_steps(342)
    assert not lesson.check_flat_steps(None)
    assert lesson.check_polyak_lr(1 / 12) and lesson.check_polyak_lr(0.083) and lesson.check_polyak_lr(0.0833)
    assert not lesson.check_polyak_lr(1 / 6) and "Newton" in lesson.check_polyak_lr(1 / 6).message   # Newton's lr
    assert not lesson.check_polyak_lr(0.125) and not lesson.check_polyak_lr(None)   # the lesson's 1-D bowl
    # the answer of exercise 1 is where the runs change from shrinking to growing
    assert np.allclose(np.linalg.eigvalsh(lesson.EXERCISE_H), lesson.EXERCISE_EIGENVALUES, rtol=1e-12)
    right = lrlab.run(loss=losses.quadratic(lesson.EXERCISE_H), stepper=steppers.sgd(), x0=[1.0, 0.5],
                      lr=[0.221, 0.2235], num_steps=2000)
    assert right.loss[-1, 0] < 1e-6 * right.loss[0, 0] and (right.diverged[1] or right.loss[-1, 1] > right.loss[0, 1])
    # exercise 2: the run's steep coordinate flips sign at every step and both shrink
    two = lrlab.run(loss=losses.quadratic([1.0, 5.0]), stepper=steppers.sgd(), x0=[1.0, 1.0], lr=0.3, num_steps=20)
    assert np.all(np.diff(np.sign(two.params[:, 1])) != 0) and np.all(two.params[1:, 0] > 0)
    assert abs(two.params[-1]).max() < 1e-2
    # exercise 3: the run's error reaches 1e-3 of its start (in both coordinates) at step 181
    flat = lrlab.run(loss=lesson.ill_conditioned(40.0), stepper=steppers.sgd(), x0=[1.0, 1.0], lr=1.5, num_steps=300)
    done = np.all(np.abs(flat.params) <= 1e-3, axis=-1)
    assert int(np.argmax(done)) == 181


def test_03_finding_a_good_lr():
    lesson = finding_a_good_lr
    right = lesson.exercise_answers()
    assert lesson.check_boundary_lr(right["boundary_lr"]) and not lesson.check_boundary_lr(0.1)
    assert not lesson.check_boundary_lr(None) and not lesson.check_boundary_lr(2 * right["boundary_lr"])
    assert not lesson.check_boundary_lr(1.005 * right["boundary_lr"])     # just past 2/L: refused
    assert not lesson.check_boundary_lr(1.001 * right["boundary_lr"])     # rounded up past 2/L: refused too
    assert not lesson.check_boundary_lr(0.2232)                           # the lesson's problem's 2/L, not q's
    assert lesson.check_best_fraction(right["kappa"]) and not lesson.check_best_fraction(0.99)
    assert not lesson.check_best_fraction(100)                            # the approximation 1 - 1/kappa
    assert lesson.check_closest_rule(right["closest_rule"]) and not lesson.check_closest_rule("min/10")


def test_04_schedules():
    lesson, p = schedules, schedules.noisy_problem()
    right = lesson.exercise_answers()
    assert lesson.check_floor_prediction(right["floor_b10"] / 4) and lesson.check_floor_prediction(right["floor"])
    assert not lesson.check_floor_prediction(right["floor_b10"]) and not lesson.check_floor_prediction(right["floor"] / 4)
    assert lesson.check_steps_above(right["steps_above"]) and not lesson.check_steps_above(p.num_steps // 2 + 60)
    assert not lesson.check_steps_above(None)
    assert lesson.check_restart_effect(right["restart_effect"]) and not lesson.check_restart_effect("down")
    assert right["plateau_cut"] == 6 and lesson.check_plateau_cut(6) and lesson.check_plateau_cut("6")
    assert "past the patience" in lesson.check_plateau_cut(5).message          # cut at bad == patience: wrong
    assert "threshold" in lesson.check_plateau_cut(10).message                 # 0.69995 taken as better: wrong
    assert not lesson.check_plateau_cut(7) and not lesson.check_plateau_cut(None) and not lesson.check_plateau_cut("x")


def test_05_momentum():
    lesson = momentum
    crit = theory.critical_lr(lesson.EXERCISE_BOWL, 0.5)
    assert lesson.check_heavy_ball_limit(crit) and lesson.check_heavy_ball_limit(0.06)
    assert not lesson.check_heavy_ball_limit(1.01 * crit)                      # diverges: wrong however close
    assert not lesson.check_heavy_ball_limit(theory.critical_lr(lesson.EXERCISE_BOWL))   # GD's 2/L
    assert not lesson.check_heavy_ball_limit(None)
    assert lesson.check_polyak_momentum(4 / 9) and not lesson.check_polyak_momentum(0.8)
    assert lesson.check_polyak_momentum(0.444) and not lesson.check_polyak_momentum(0.452)   # 0.5%, not 2%
    nest = theory.nesterov_critical_lr(lesson.EXERCISE_BOWL, 0.5)
    assert lesson.check_nesterov_limit(nest) and lesson.check_nesterov_limit(0.03)
    assert not lesson.check_nesterov_limit(1.01 * nest)                        # diverges: wrong however close
    assert not lesson.check_nesterov_limit(theory.critical_lr(lesson.EXERCISE_BOWL, 0.5))   # heavy ball's wall
    assert not lesson.check_nesterov_limit(None)
    # exercise 4 has its own momentum (0.3, real roots 0.6 and 0.5), not section 3's 0.6 (complex, √0.6)
    kw = lesson.FACTOR_EXERCISE
    assert kw["momentum"] != lesson.EIGEN_SETTINGS["heavy ball"]["momentum"]
    assert lesson.check_direction_factor(float(theory.direction_rates(lesson.EIGEN_BOWL, kw["lr"], kw["momentum"])[1]))
    assert lesson.check_direction_factor(0.6)
    assert not lesson.check_direction_factor(np.sqrt(0.3)) and "complex" in lesson.check_direction_factor(np.sqrt(0.3)).message
    assert not lesson.check_direction_factor(np.sqrt(0.6))                      # section 3's factor
    assert not lesson.check_direction_factor(abs(1 - 0.02 * 10))                # gradient descent's factor
    assert lesson.check_critical_momentum(float(theory.critical_damping(0.25)))
    assert not lesson.check_critical_momentum(0.0) and not lesson.check_critical_momentum(0.9)


def test_06_adaptive_optimizers():
    lesson = adaptive_optimizers
    second = 0.05 / 19
    assert np.isclose(lesson.adam_second_step()[0], second, rtol=1e-6)
    assert lesson.check_adam_second_step(second) and lesson.check_adam_second_step(0.00263)
    assert lesson.check_adam_second_step(-second) and lesson.check_adam_second_step(-0.00263)   # a distance
    assert not lesson.check_adam_second_step(True) and not lesson.check_adam_second_step(-0.05)
    assert not lesson.check_adam_second_step(0.05)                             # the first step's size
    assert not lesson.check_adam_second_step(0.0) and not lesson.check_adam_second_step(None)
    assert lesson.check_turned_bowl("fast") and lesson.check_turned_bowl(" Fast ")
    assert not lesson.check_turned_bowl("slow") and not lesson.check_turned_bowl("aligned")
    half = np.log(0.5) / np.log(1 - 1e-5)
    assert lesson.check_adamw_half_life(half) and lesson.check_adamw_half_life(69300)
    assert not lesson.check_adamw_half_life(np.log(2) / 1e-3) and not lesson.check_adamw_half_life(None)
    # the half-life is what a run of AdamW on an untouched weight shows
    tr = lrlab.run(loss=losses.quadratic([0.0, 1.0]), stepper=steppers.adamw(), x0=[1.0, 0.0], lr=1e-3,
                   num_steps=int(np.ceil(half)))
    assert tr.params[-1, 0] <= 0.5 < tr.params[-2, 0]


def test_07_batch_size():
    lesson = batch_size
    L = theory.eigenvalues(lesson.FULL)[-1]
    assert lesson.check_scaled_lr(0.16) and not lesson.check_scaled_lr(0.02)
    assert lesson.check_floor_factor(lesson.THEORY.floor(0.05, 16) / lesson.THEORY.floor(0.05, 64))
    assert not lesson.check_floor_factor(2.0)
    # exercise 3: the largest whole k below SGD's own limit for batch 4k (40), not the one below 2/L (41)
    assert lesson.max_sgd_scale() == 40 and int((2 / L) / 0.05) == 41
    assert lesson.check_max_scale(40) and lesson.check_max_scale(40.0)
    assert not lesson.check_max_scale(41)                                        # just past the limit, below 2/L
    assert not lesson.check_max_scale(39) and not lesson.check_max_scale(40.5) and not lesson.check_max_scale(None)
    assert 40 * 0.05 < lesson.THEORY.critical_lr(160) and 41 * 0.05 > lesson.THEORY.critical_lr(164)
    # exercise 4: the shortest warmup on the quartic that keeps lr x curvature below 2
    assert lesson.shortest_warmup() == 12
    assert lesson.max_lr_times_curvature(12) < 2 < lesson.max_lr_times_curvature(11)
    assert lesson.check_shortest_warmup(12) and not lesson.check_shortest_warmup(11)
    assert not lesson.check_shortest_warmup(13) and not lesson.check_shortest_warmup(20)
    assert not lesson.check_shortest_warmup(2) and not lesson.check_shortest_warmup(None)
    assert not lesson.check_scaled_lr(None)
    assert lesson.check_momentum_floor(0.04) and lesson.check_momentum_floor(0.0400)
    assert lesson.check_momentum_floor(0.044) and lesson.check_momentum_floor(0.0443)   # without-replacement factor kept
    assert not lesson.check_momentum_floor(0.046)
    assert "momentum raises" in lesson.check_momentum_floor(0.2).message        # batch only
    assert "larger batch" in lesson.check_momentum_floor(0.01).message          # momentum only
    assert not lesson.check_momentum_floor(0.05) and not lesson.check_momentum_floor(None)
    assert lesson.check_adam_lr(0.012) and lesson.check_adam_lr(0.003 * 4)
    assert "linear rule" in lesson.check_adam_lr(0.048).message and not lesson.check_adam_lr(0.048)
    assert not lesson.check_adam_lr(0.003) and not lesson.check_adam_lr("x")


def test_08_debugging():
    lesson = debugging
    exercise = lesson.exercise_runs()
    key = {k: lesson.read_loss_curve(rec.loss) for k, rec in exercise.items()}
    assert sorted(key.values()) == ["barely falling", "falling", "rising", "spiky"]
    assert lesson.check_diagnosis(key, exercise)
    assert not lesson.check_diagnosis({**key, "A": "falling" if key["A"] != "falling" else "spiky"}, exercise)
    assert not lesson.check_diagnosis(None, exercise)
    # exercise 2, diagnose and fix: the fixes that work when run are accepted, the others refused
    assert lesson.check_fix("normalising") and lesson.check_fix("lower lr") and lesson.check_fix("Standardize")
    for wrong in ("warm-up", "clipping", "re-initialisation", "banana", None):
        assert not lesson.check_fix(wrong)
    # exercise 3, the wide network: one measurement, a proportional correction, a second one
    assert lesson.check_update_ratio(2.0)
    assert not lesson.check_update_ratio(lesson.GALLERY["good"])       # the 64-unit net's lr falls short here
    assert not lesson.check_update_ratio(4.0) and not lesson.check_update_ratio(0.1)
    assert "edge of stability" in lesson.check_update_ratio(3.0).message   # ratio in the band, but at the edge
    assert lesson.check_edge(8.0) and not lesson.check_edge(4.0)


def test_09_beyond_the_lr():
    lesson = beyond_the_lr
    raw = lesson.raw_loss()
    limit = theory.critical_lr(lesson.rescaled_raw_loss())
    assert lesson.check_raw_limit(2 / (100 * raw.L)) and not lesson.check_raw_limit(2 / raw.L)
    assert not lesson.check_raw_limit(limit * 1.005)                     # just past the boundary
    assert lesson.check_correlated_kappa(49 / 51) and not lesson.check_correlated_kappa(0.9)
    assert lesson.check_output_growth(16) and not lesson.check_output_growth(81)
    assert not lesson.check_raw_limit(None) and not lesson.check_correlated_kappa(None)
    # before an answer the check says only that there is none; the method comes with a wrong answer
    for check in (lesson.check_raw_limit, lesson.check_correlated_kappa, lesson.check_output_growth):
        assert check(None).message == "No answer yet: replace None with your number."
    assert "table's L" in lesson.check_raw_limit(0.0002).message
    assert "How many are there" in lesson.check_output_growth(8).message


def test_04_warmup_code_exercise():
    check, peak, w = schedules.check_warmup_function, schedules.PEAK, schedules.WARMUP
    assert check(lambda t: peak * min(t / w, 1.0))
    assert check(lambda t: peak * t / w if t < w else peak)             # another way to write it
    off_by_one = check(lambda t: peak * min((t + 1) / w, 1.0))
    assert not off_by_one and "one step ahead" in off_by_one.message and "t = 0" in off_by_one.message
    overshoot = check(lambda t: peak * t / w)
    assert not overshoot and "past the peak" in overshoot.message
    short = check(lambda t: 0.5 * peak * min(t / w, 1.0))
    assert not short and "never reaches" in short.message
    assert "None" in check(lambda t: None).message
    assert "ZeroDivisionError" in check(lambda t: 1 / t).message
    assert "no parentheses" in check(0.4).message
    assert "one number" in check(lambda t: "fast").message
