"""Every exercise check accepts the right answer and rejects wrong ones (the answer keys live here,
never in the students' notebooks; tools/solutions.py holds the instructors' worked answers)."""
import numpy as np

import lrlab
from lrlab import losses, steppers, theory
from lrlab.lessons import (adaptive_optimizers, batch_size, beyond_the_lr, debugging, finding_a_good_lr, momentum,
                           schedules, start_here, too_high_too_low, update_rule)


def test_00_start_here():
    assert start_here.check_edge(1.0)
    assert not start_here.check_edge(0.5) and not start_here.check_edge(1.04) and not start_here.check_edge(None)


def test_01_update_rule():
    assert update_rule.check_one_step(1.2) and not update_rule.check_one_step(1.8)
    assert update_rule.check_sum_lr(0.1 / 32) and update_rule.check_sum_lr(0.0031)   # rounded is right too
    assert not update_rule.check_sum_lr(3.2)
    assert update_rule.check_one_step_lr(0.5) and not update_rule.check_one_step_lr(1.0)
    assert not update_rule.check_one_step(None) and not update_rule.check_sum_lr(None)


def test_02_too_high_too_low():
    lesson = too_high_too_low
    assert lesson.check_largest_lr(0.25) and not lesson.check_largest_lr(0.255) and not lesson.check_largest_lr(2.0)
    assert not lesson.check_largest_lr(None)
    assert lesson.check_regime("oscillating") and not lesson.check_regime("diverging") and not lesson.check_regime(None)
    assert lesson.check_flat_steps(342) and not lesson.check_flat_steps(7) and not lesson.check_flat_steps(None)
    # the answer of exercise 1 is where the runs change from oscillating to diverging
    right = lrlab.run(loss=losses.quadratic([1.0, 8.0]), stepper=steppers.sgd(), x0=[1.0, 1.0], lr=[0.249, 0.251],
                      num_steps=2000)
    assert list(lrlab.diagnostics.classify(right)) == ["oscillating", "diverging"]


def test_03_finding_a_good_lr():
    lesson = finding_a_good_lr
    right = lesson.exercise_answers()
    assert lesson.check_largest_lr(right["largest_lr"]) and not lesson.check_largest_lr(0.1)
    assert not lesson.check_largest_lr(None) and not lesson.check_largest_lr(2 * right["largest_lr"])
    assert not lesson.check_largest_lr(0.23)                    # 2/L = 0.2232: 0.23 diverges
    assert lesson.check_closest_rule(right["closest_rule"]) and not lesson.check_closest_rule("min")
    assert lesson.check_smoothing_direction(right["smoothing_direction"])
    assert not lesson.check_smoothing_direction("smaller")


def test_04_schedules():
    lesson, p = schedules, schedules.noisy_problem()
    right = lesson.exercise_answers()
    assert lesson.check_floor_prediction(right["floor_given"] / 4)
    assert not lesson.check_floor_prediction(right["floor_given"])
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
    assert lesson.check_max_scale((2 / L) / 0.05) and not lesson.check_max_scale(64)
    assert lesson.check_warmup_claim("false") and not lesson.check_warmup_claim("true")
    assert not lesson.check_scaled_lr(None)
    assert lesson.check_momentum_floor(0.04) and lesson.check_momentum_floor(0.0400)
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
    assert sorted(key.values()) == ["converging", "diverging", "oscillating", "slow"]
    assert lesson.check_diagnosis(key, exercise)
    assert not lesson.check_diagnosis({**key, "A": "slow" if key["A"] != "slow" else "converging"}, exercise)
    assert not lesson.check_diagnosis(None, exercise)
    guess = 0.1 * 3e-2 / np.nanmedian(lesson.train_digits(0.1, num_steps=50).update_ratio)
    assert lesson.check_update_ratio(guess) and lesson.check_update_ratio(lesson.GALLERY["good"])
    assert not lesson.check_update_ratio(0.1) and not lesson.check_update_ratio(0.01)
    assert not lesson.check_update_ratio(lesson.GALLERY["oscillating"])
    assert lesson.check_edge(8.0) and not lesson.check_edge(4.0)


def test_09_beyond_the_lr():
    lesson = beyond_the_lr
    raw, std = lesson.raw_loss(), lesson.standardized_loss()
    sweep = lesson.lr_sweep()
    assert lesson.check_raw_limit(2 / raw.L) and not lesson.check_raw_limit(2 / std.L)
    assert lesson.check_correlated_kappa(19) and not lesson.check_correlated_kappa(1.9)
    assert lesson.check_largest_good_lr(lesson.good_lrs(sweep, 3.0)[-1], sweep)
    assert not lesson.check_largest_good_lr(lesson.good_lrs(sweep, 1.0)[-1], sweep)
    assert not lesson.check_largest_good_lr(None, sweep)


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
