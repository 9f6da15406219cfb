# %% [markdown]
# # Smoke
# %%
import numpy as np
import lrlab
from lrlab import losses, plotting, widgets
loss = losses.quadratic([1.0, 10.0])
# %% tags=["nbval-ignore-output"]
# nbval-ignore-output: a live widget; only a browser front end renders it (its callbacks are unit-tested)
ex = widgets.LRExplorer(widgets.Problem(loss, [1.0, 1.0], 60), lr=0.05, lr_range=(1e-3, 1.0),
      presets={"too small": 0.002, "good": 0.1, "oscillating": 0.19, "diverging": 0.21})
ex
# %%
traj = lrlab.run(loss=loss, x0=[1.0, 1.0], lr=[0.02, 0.1, 0.19, 0.21], num_steps=40)
fig, _ = plotting.small_multiples(traj, loss)
plotting.show(fig)
print(lrlab.diagnostics.classify(traj))
