"""ipywidgets helpers and the declarative controls of an explorer.

Lessons never build a widget: they *declare* controls (:class:`Slider`,
:class:`Choice`) and :class:`lrlab.explorer.Explorer` builds them with
:func:`build_control`. The small helpers here (the log lr slider, snapping a
value onto its grid, preset buttons, the theory line) are what the explorer
assembles.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import ipywidgets as W

from . import plotting, theory
from ._validation import check_number

__all__ = ["Slider", "Choice", "build_control", "lr_slider", "preset_buttons", "theory_text",
           "snap_to_slider"]


@dataclass(frozen=True)
class Slider:
    """A numeric control: linear, or log-scale (``log=True``: ``min``/``max`` are the values, not exponents).

    ``live=True``: moving it only re-runs (like the lr); otherwise it changes the
    scene and the explorer redraws the static part of the figure too.
    """

    value: float
    min: float
    max: float
    step: float | None = None
    description: str | None = None
    log: bool = False
    integer: bool = False
    readout_format: str | None = None
    live: bool = False
    continuous: bool | None = None
    width: str | None = None

    def __post_init__(self):
        lo = check_number("min", self.min, low=0.0 if self.log else None, low_inclusive=not self.log)
        hi = check_number("max", self.max, low=lo, low_inclusive=False)
        check_number("value", self.value, low=lo, high=hi)
        if self.step is not None:
            check_number("step", self.step, low=0.0, low_inclusive=False)


@dataclass(frozen=True)
class Choice:
    """A control with a fixed set of ``options``: a drop-down, toggle buttons or a selection slider (``style``).

    ``params``: option -> {name: Slider or Choice}, controls shown only while that
    option is chosen (a schedule and its own parameters). The explorer passes their
    values as ``<name>_params`` (a dict) beside the option itself.
    """

    options: tuple
    value: Any = None
    description: str | None = None
    style: str = "dropdown"
    live: bool = False
    continuous: bool | None = None
    width: str | None = None
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "options", tuple(self.options))
        if not self.options:
            raise ValueError("options must name at least one choice")
        if self.value is None:
            object.__setattr__(self, "value", self.options[0])
        if self.value not in self.options:
            raise ValueError(f"value must be one of the options {list(self.options)}; got {self.value!r}")
        if self.style not in ("dropdown", "toggle", "slider"):
            raise ValueError(f"style must be 'dropdown', 'toggle' or 'slider'; got {self.style!r}")
        unknown = [k for k in self.params if k not in self.options]
        if unknown:
            raise ValueError(f"params must be keyed by options {list(self.options)}; got {unknown}")

    @property
    def defaults(self) -> dict:
        """option -> {param: default value}."""
        return {o: {k: s.value for k, s in self.params.get(o, {}).items()} for o in self.options}


def build_control(name: str, spec) -> W.Widget:
    """The ipywidget for a control spec (``description`` defaults to ``name``)."""
    if not isinstance(spec, (Slider, Choice)):
        raise TypeError(f"controls[{name!r}] must be a lrlab.widgets.Slider or Choice; got {type(spec).__name__}")
    style = {"description_width": "initial"}
    desc = spec.description or name
    cont = spec.live if spec.continuous is None else spec.continuous
    layout = W.Layout(width=spec.width) if spec.width else W.Layout()
    if isinstance(spec, Slider):
        fmt = {"readout_format": spec.readout_format} if spec.readout_format else {}
        if spec.log:
            lo, hi = math.log10(spec.min), math.log10(spec.max)
            step = spec.step if spec.step is not None else (hi - lo) / 100
            return W.FloatLogSlider(value=spec.value, base=10, min=lo, max=hi, step=step, description=desc,
                                    continuous_update=cont, style=style, layout=layout, **fmt)
        cls = W.IntSlider if spec.integer else W.FloatSlider
        step = spec.step if spec.step is not None else (1 if spec.integer else (spec.max - spec.min) / 100)
        return cls(value=spec.value, min=spec.min, max=spec.max, step=step, description=desc,
                   continuous_update=cont, style=style, layout=layout, **fmt)
    if spec.style == "toggle":
        return W.ToggleButtons(options=list(spec.options), value=spec.value, description=desc,
                               style={**style, "button_width": "110px"}, layout=layout)
    if spec.style == "slider":
        return W.SelectionSlider(options=list(spec.options), value=spec.value, description=desc,
                                 continuous_update=cont, style=style, layout=layout)
    return W.Dropdown(options=list(spec.options), value=spec.value, description=desc, style=style, layout=layout)


def lr_slider(value: float, lr_min: float, lr_max: float, *, description: str = "learning rate",
              steps: int = 240, width: str = "520px") -> W.FloatLogSlider:
    """A log-scale lr slider from ``lr_min`` to ``lr_max`` (``steps`` positions)."""
    lr_min = check_number("lr_min", lr_min, low=0.0, low_inclusive=False)
    lr_max = check_number("lr_max", lr_max, low=lr_min, low_inclusive=False)
    lo, hi = math.log10(lr_min), math.log10(lr_max)
    value = min(max(check_number("value", value, low=0.0, low_inclusive=False), lr_min), lr_max)
    return W.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=(hi - lo) / steps,
                            description=description, readout_format=".3g", continuous_update=True,
                            style={"description_width": "initial"}, layout=W.Layout(width=width))


def snap_to_slider(slider, value: float) -> float:
    """``value`` clipped to a log slider's range and rounded to its grid of positions.

    The browser's slider can only stand on its grid: a preset that is not on it
    would be moved there by the page and sent back, so the kernel would compute
    twice and show a value the slider does not. Snapping here makes the kernel,
    the headless tests and the page agree on one lr.
    """
    lo, hi, step, base = float(slider.min), float(slider.max), float(slider.step), float(slider.base)
    e = min(max(math.log(float(value), base), lo), hi)
    k = round((e - lo) / step)
    return float(base ** min(lo + k * step, hi))


def theory_text(loss, momentum: float = 0.0) -> str:
    """HTML line with 1/L and the stability limit, for beside the slider."""
    if getattr(loss, "eigenvalues", None) is None:
        return '<span class="lrlab-theory">no closed-form limit for this loss: explore!</span>'
    L = theory.eigenvalues(loss)[-1]
    crit = theory.critical_lr(loss, momentum)
    c = plotting.PALETTE
    name = "2/L" if momentum == 0 else "2(1+β)/L"
    return (f'<span class="lrlab-theory">theory: <b style="color:{c["green"]}">1/L = {1 / L:.3g}</b> '
            f'(fastest along the steepest direction) · <b style="color:{c["vermillion"]}">{name} = {crit:.3g}</b> '
            f'(stability limit)</span>')


def preset_buttons(presets: dict, on_click: Callable[[Any], None]) -> list:
    """One button per preset; clicking calls ``on_click(value)``."""
    buttons = []
    for name, value in presets.items():
        tip = name if callable(value) else f"{name}: {value}"
        b = W.Button(description=name, layout=W.Layout(width="auto"), tooltip=tip)
        b.on_click(lambda _b, v=value: on_click(v))
        b.add_class("lrlab-preset")
        buttons.append(b)
    return buttons
