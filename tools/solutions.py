"""The exercises' solutions, for instructors: never shown in the student notebooks.

``SOLUTIONS[notebook]`` lists, in the order of the notebook's ``answer = None`` cells, the
expression that answers each exercise (evaluated in the notebook's kernel, so it may use the
notebook's names) and a one-line explanation. ``python tools/build_notebooks.py --solutions``
writes executed copies with these filled in and fails unless every check then says correct;
``tests/test_solutions.py`` runs that build.
"""

SOLUTIONS = {
    "00_start_here": [
        ("0.8", "f(w) = 1.25 w**2 has curvature L = 2.5, so the edge is 2/L = 0.8"),
    ],
    "01_update_rule": [
        ("1.5 - 0.1 * 2 * 1.5", "w - lr * f'(w) with f'(w) = 2w"),
        ("0.1 * 100**2 / 32", "the sum's gradient is 32 times the mean's (lr / 32); w in cm needs an lr 100**2 times larger"),
        ("1 / 5.0", "the distance to the minimum becomes (1 - 5 lr)(w - 1), zero for every w exactly when lr = 1/5 = 1/L"),
    ],
    "02_too_high_too_low": [
        ("2 / 9.0", "2/L, where L = 9 is the largest eigenvalue of [[5, 4], [4, 5]] (eigenvalues 1 and 9; not the diagonal 5)"),
        ('"oscillating convergence"', "factors 1 - 0.3 * 1 = 0.7 and 1 - 0.3 * 5 = -0.5: both below 1 in size, one negative"),
        ("int(np.ceil(np.log(1e-3) / np.log(1 - 1.5 / 40)))",
         "the steep factor -0.5 is done in 10 steps; the flat one, 1 - 1.5/40 = 0.9625, needs 181"),
        ("(3 * 2**2) / (6 * 2) ** 2", "Polyak's lr (f(w) - f*) / f'(w)**2 = 12 / 144 = 1/12, half Newton's 1/6"),
    ],
    "03_finding_a_good_lr": [
        ("2 / max(q.loss.eigenvalues)", "the boundary 2/L of the exercise problem (its steep direction is steeper)"),
        ("0.99 / (1 - 0.99)", "(2/(mu+L)) / (2/L) = L/(mu+L) = kappa/(kappa+1) = 0.99 gives kappa = 99"),
        ('"min"', "min is a factor 2.2 above the best lr, min/10 a factor 4.5 below; but min diverges"),
        ("[loss.value(x) for x in __import__('itertools').accumulate(lrs, lambda x, lr: x - lr * loss.grad(x), "
         "initial=np.asarray(x0, dtype=float))][1:]",
         "x <- x - lr * grad(x) for each lr in turn, recording the loss after each step (a for loop does the same)"),
        ("0.1", "section 6's best constant lr still works at half the budget (93.5% needs an lr near 0.1-0.2)"),
    ],
    "04_schedules": [
        ("theory.noise_floor(p.loss, 0.3) / 4", "the floor goes like lr/B: the floor at lr 0.3 with batches of 10, divided by 40/10 = 4"),
        ("int(np.floor(500 * np.arccos(1 / 3) / np.pi)) + 1",
         "1.5 (2/L) (1 + cos(pi t / 500)) / 2 > 2/L means cos(pi t / 500) > 1/3: t < 500 arccos(1/3) / pi = 195.9"),
        ('"up"', "the lr jumps back to its peak, so the loss jumps up before it falls again"),
        ("lesson.PEAK * min(t / lesson.WARMUP, 1.0)", "a ramp from 0 capped at the peak"),
        ("6", "0.69995 is not below 0.7 * (1 - 1e-3), so readings 4, 5, 6 are 3 bad epochs > patience 2"),
        ('"above"', "without noise each iterate's error is the start's remnant, same sign and shrinking: the mean "
                    "carries the larger early errors"),
    ],
    "05_momentum": [
        ("2 * (1 + 0.5) / 50.0", "heavy ball converges for lr < 2(1 + beta)/L, and L = 50 reaches its wall first"),
        ("((np.sqrt(25) - 1) / (np.sqrt(25) + 1)) ** 2", "beta* = ((sqrt(kappa) - 1)/(sqrt(kappa) + 1))**2 with kappa = 50/2 = 25"),
        ("theory.nesterov_critical_lr(lesson.EXERCISE_BOWL, 0.5)",
         "Nesterov's root reaches -1 when (1 - lr L)(1 + 2 beta) = -1: lr = 2(1 + beta)/((1 + 2 beta) L) = 0.03"),
        ("0.6", "h = 0.2: z**2 - 1.1 z + 0.3 = 0 has the real roots 0.6 and 0.5; the larger one sets the pace"),
        ("(1 - np.sqrt(0.25)) ** 2", "critical damping: the roots merge where beta = (1 - sqrt(h))^2"),
    ],
    "06_adaptive_optimizers": [
        ("0.05 / 19", "m2 = 0.9 * 30 - 30 = -3, m2_hat = -3/0.19; v2_hat = 300**2, so the step is 0.05 * (3/0.19)/300 = 0.05/19"),
        ('"fast"', "a quarter turn swaps the axes: the steep and flat directions are coordinate axes again"),
        ("np.log(0.5) / np.log(1 - 1e-3 * 1e-2)", "AdamW multiplies the untouched weight by (1 - lr wd) every step"),
    ],
    "07_batch_size": [
        ("0.02 * 256 / 32", "linear scaling: 8 times the batch, 8 times the lr"),
        ("lesson.THEORY.floor(0.05, 16) / lesson.THEORY.floor(0.05, 64)",
         "the exact floor ratio (about (64/16) times the without-replacement correction)"),
        ("max(k for k in range(1, 60) if k * 0.05 < lesson.THEORY.critical_lr(4 * k))",
         "k * 0.05 must stay below SGD's own mean-square limit for batch 4k (40); k = 41 is below 2/L but past it"),
        ("min(W for W in range(1, 60) if lesson.lr_times_curvature(lesson.warmup_runs(warmup_steps=W)[0])[:, 2].max() < 2)",
         "12 steps: with 11 the product lr x curvature passes 2 on the way"),
        ("0.05 * (1 - 0.8) * 64 / 16", "keep lr / ((1 - beta) B) fixed: momentum 0.8 raises the floor 5x, batch 64 lowers it 4x"),
        ("0.003 * np.sqrt(512 / 32)", "Adam's floor goes like lr / sqrt(B): the square-root rule"),
    ],
    "08_debugging": [
        ("{k: lesson.read_loss_curve(rec.loss) for k, rec in exercise.items()}", "read each curve's shape"),
        ('"normalising"', "raw pixels up to 16 make the first steps huge and kill every ReLU; standardizing "
                          "removes the cause ('lower lr' works too)"),
        ("2.0", "bracket: lr 1 gives about 8e-3 (below the band), lr 4 blows up; lr 2 gives about 3e-2"),
        ("2 / 0.25", "at the edge of stability the sharpness rises until it hovers near 2/lr"),
    ],
    "09_beyond_the_lr": [
        ("2 / (100 * raw.L)", "a feature 10 times larger has a curvature 100 times larger: the boundary 2/L falls 100-fold "
                              "(just below the exact boundary, which is what the check wants)"),
        ("(50 - 1) / (50 + 1)", "the correlation matrix [[1, r], [r, 1]] has eigenvalues 1 + r and 1 - r: solve (1 + r)/(1 - r) = 50"),
        ("2.0 ** 4", "four linear layers, each multiplying the signal by the init scale"),
    ],
    "10_capstone": [
        ("np.log(26)", "a uniform guess over 26 classes has cross-entropy ln 26"),
        ("0.2 / (1 - 0.8)", "the lr peaks (0.2) exactly when the momentum bottoms out (0.8)"),
        ('{"A": "too low", "B": "too high"}',
         "A: training and validation loss still high and falling together; B: the training loss climbs a hundredfold above its start"),
        ('dict(lr=0.1, schedule="one-cycle", batch_size=32, epochs=5, weight_decay=0.0)',
         "half the budget: twice as many steps per epoch (batch 32) and a schedule peaking at the range test's min/10"),
    ],
}
