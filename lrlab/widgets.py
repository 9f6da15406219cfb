"""ipywidgets helpers and the declarative controls of an explorer.

Lessons never build a widget: they *declare* controls (:class:`Slider`,
:class:`Choice`) and :class:`lrlab.explorer.Explorer` builds them with
:func:`build_control`. The small helpers here (the log lr slider, snapping a
value onto its grid, preset buttons, the theory line) are what the explorer
assembles.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable

import ipywidgets as W
import numpy as np
from traitlets import TraitError

if TYPE_CHECKING:
    from .types import Loss

from . import plotting, theory
from ._validation import check_choice, check_flag, check_instance, check_loss, check_number, check_text

__all__ = ["Slider", "Choice", "build_control", "lr_slider", "preset_buttons", "slider_names", "page_fit",
           "theory_text", "snap_to_slider"]


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
    width: int | None = None

    def __post_init__(self):
        for f in ("log", "integer", "live"):
            check_flag(f, getattr(self, f))
        _check_optional(self)
        _check_readout_format(self.readout_format)
        if self.log and self.integer:
            raise ValueError("log and integer cannot both be True: a log slider's values are not integers")
        integer = self.integer
        lo = check_number("min", self.min, low=0.0 if self.log else None, low_inclusive=not self.log,
                          integer=integer)
        hi = check_number("max", self.max, integer=integer)
        if not hi > lo:
            raise ValueError(f"max must be greater than min, got min={self.min!r}, max={self.max!r}")
        check_number("value", self.value, low=lo, high=hi, integer=integer)
        if self.step is not None:
            step = check_number("step", self.step, low=0.0, low_inclusive=False, integer=integer)
            span = math.log10(hi) - math.log10(lo) if self.log else hi - lo
            if step > span * (1 + 1e-12):
                unit = " (a log slider's step is in powers of ten)" if self.log else ""
                raise ValueError(f"step must be at most the slider's span {span:g}{unit}, got step={self.step!r}")

    def with_value(self, name: str, value: float) -> Slider:
        """This slider starting at ``value``; a bad value raises an error that names ``name`` (a factory's
        argument) and the slider's range."""
        _check_name(name)
        return replace(self, value=check_number(name, value, low=self.min, high=self.max, integer=self.integer))


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
    width: int | None = None
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if isinstance(self.options, (str, bytes, dict)) or not hasattr(self.options, "__iter__"):
            raise TypeError(f"options must be a list or tuple of choices, got {self.options!r}")
        object.__setattr__(self, "options", tuple(self.options))
        if not self.options:
            raise ValueError("options must name at least one choice")
        try:
            distinct = len(set(self.options)) == len(self.options)
        except TypeError:
            raise TypeError(f"options must be hashable values (numbers, strings), got {list(self.options)}") from None
        if not distinct:
            raise ValueError(f"options must be distinct, got {list(self.options)}")
        check_flag("live", self.live)
        _check_optional(self)
        if not isinstance(self.params, dict):
            raise TypeError(f"params must be a dict option -> {{name: Slider or Choice}}, got {self.params!r}")
        for o, ps in self.params.items():
            if not isinstance(ps, dict) or not all(isinstance(k, str) and k.isidentifier() for k in ps):
                raise TypeError(f"params[{o!r}] must be a dict name -> Slider or Choice, got {ps!r}")
            for k, spec in ps.items():
                if not isinstance(spec, (Slider, Choice)):
                    raise TypeError(f"params[{o!r}][{k!r}] must be a lrlab.widgets.Slider or Choice, "
                                    f"got {type(spec).__name__}")
        if self.value is None:
            object.__setattr__(self, "value", self.options[0])
        object.__setattr__(self, "value", self.option("value", self.value))
        check_choice("style", self.style, ("dropdown", "toggle", "slider"))
        unknown = [k for k in self.params if k not in self.options]
        if unknown:
            raise ValueError(f"params must be keyed by options {list(self.options)}; got {unknown}")

    def option(self, name: str, value: Any) -> Any:
        """The option equal to ``value`` (a bool matches only a bool); else a ValueError naming ``name``
        and the options."""
        _check_name(name)
        for o in self.options:
            try:
                same = o == value and isinstance(o, (bool, np.bool_)) == isinstance(value, (bool, np.bool_))
                same = bool(same)
            except (TypeError, ValueError):          # an array compared to an option
                same = False
            if same:
                return o
        raise ValueError(f"{name} must be one of the options {list(self.options)}; got {value!r}")

    def with_value(self, name: str, value: Any) -> Choice:
        """This choice starting at ``value``; a value that is not an option raises an error naming ``name``."""
        return replace(self, value=self.option(name, value))

    @property
    def defaults(self) -> dict:
        """option -> {param: default value}."""
        return {o: {k: s.value for k, s in self.params.get(o, {}).items()} for o in self.options}


def _check_optional(spec) -> None:
    """The options a Slider and a Choice share, each None or: ``continuous`` a flag, ``description`` a string,
    ``width`` a whole number of CSS pixels (the page narrows a control wider than its column)."""
    if spec.continuous is not None:
        check_flag("continuous", spec.continuous)
    check_text("description", spec.description, optional=True)
    if spec.width is not None:
        check_number("width", spec.width, low=1, high=10_000, integer=True)


def _check_readout_format(fmt) -> None:
    """A slider's number format, by the check its own readout_format trait applies (d3-format)."""
    if check_text("readout_format", fmt, optional=True) is not None:
        try:
            W.NumberFormat().validate(None, fmt)
        except TraitError:
            raise ValueError(f"readout_format must be a number format such as '.3g' or '.2f', got {fmt!r}") from None


def _check_name(name) -> str:
    """The name of the argument or control a value is for: a non-empty string."""
    if not check_text("name", name):
        raise ValueError("name must be a non-empty string (the argument or control it is for), got ''")
    return name


def build_control(name: str, spec: Slider | Choice) -> W.Widget:
    """The ipywidget for a control spec (``description`` defaults to ``name``)."""
    _check_name(name)
    if not isinstance(spec, (Slider, Choice)):
        raise TypeError(f"spec (of controls[{name!r}]) must be a lrlab.widgets.Slider or Choice; "
                        f"got {type(spec).__name__}")
    style = {"description_width": "initial"}
    desc = spec.description or name
    cont = spec.live if spec.continuous is None else spec.continuous
    layout = W.Layout(width=f"{spec.width}px") if spec.width else W.Layout()
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
              steps: int = 240, width: int = 520) -> W.FloatLogSlider:
    """A log-scale lr slider from ``lr_min`` to ``lr_max`` (``steps`` positions)."""
    lr_min = check_number("lr_min", lr_min, low=0.0, low_inclusive=False)
    lr_max = check_number("lr_max", lr_max)
    if not lr_max > lr_min:
        raise ValueError(f"lr_max must be greater than lr_min, got lr_min={lr_min!r}, lr_max={lr_max!r}")
    lo, hi = math.log10(lr_min), math.log10(lr_max)
    value = check_number("value", value, low=lr_min, high=lr_max)
    description = check_text("description", description)
    steps = check_number("steps", steps, low=1, high=100_000, integer=True)
    width = check_number("width", width, low=1, high=10_000, integer=True)
    return W.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=(hi - lo) / steps,
                            description=description, readout_format=".3g", continuous_update=True,
                            style={"description_width": "initial"}, layout=W.Layout(width=f"{width}px"))


def snap_to_slider(slider: W.FloatLogSlider, value: float) -> float:
    """``value`` clipped to a log slider's range and rounded to its grid of positions.

    The browser's slider can only stand on its grid: a preset that is not on it
    would be moved there by the page and sent back, so the kernel would compute
    twice and show a value the slider does not. Snapping here makes the kernel,
    the headless tests and the page agree on one lr.
    """
    check_instance("slider", slider, W.FloatLogSlider, "an ipywidgets FloatLogSlider (e.g. lr_slider(...))")
    value = check_number("value", value, low=0.0, low_inclusive=False)
    lo, hi, step, base = float(slider.min), float(slider.max), float(slider.step), float(slider.base)
    e = min(max(math.log(value, base), lo), hi)
    k = round((e - lo) / step)
    return float(base ** min(lo + k * step, hi))


def theory_text(loss: Loss, momentum: float = 0.0) -> str:
    """HTML line with 1/L and the stability limit, for beside the slider."""
    check_loss("loss", loss)
    momentum = check_number("momentum", momentum, low=0.0, high=1.0, high_inclusive=False)
    if getattr(loss, "eigenvalues", None) is None:
        return '<span class="lrlab-theory">no closed-form limit for this loss: explore!</span>'
    L = theory.eigenvalues(loss)[-1]
    crit = theory.critical_lr(loss, momentum)
    c = plotting.TEXT_COLORS
    name = "2/L" if momentum == 0 else "2(1+β)/L"
    return (f'<span class="lrlab-theory">theory: <b style="color:{c["green"]}">1/L = {1 / L:.3g}</b> '
            f'(fastest along the steepest direction) · <b style="color:{c["vermillion"]}">{name} = {crit:.3g}</b> '
            f'(stability limit)</span>')


#: A 1x1 transparent GIF: its ``onload`` runs :data:`_NAME_SLIDERS_JS` once the explorer is on the page.
_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
#: ipywidgets draws a slider's handle (role="slider") without an accessible name: its description is a
#: separate <label> tied to nothing, so a screen reader announces "slider" and a number. This names every
#: slider handle inside the explorer after its description, and gives the log-scale lr slider the
#: readout's value as aria-valuetext (its aria-valuenow is the exponent); it keeps doing so as the page
#: re-renders (a MutationObserver on the explorer). It also frees the Tab key from ipympl's canvas and
#: keeps the explorer's keys from JupyterLab's notebook shortcuts.
_NAME_SLIDERS_JS = (
    "(function (img) {"
    " var box = img.closest('.lrlab-explorer'); if (!box || box.__lrlabNamed) return; box.__lrlabNamed = true;"
    " var set = function (el, k, v) { if (v && el.getAttribute(k) !== v) el.setAttribute(k, v); };"
    " var name = function () {"
    "  box.querySelectorAll('.widget-slider').forEach(function (s) {"
    "   var h = s.querySelector('.noUi-handle'), l = s.querySelector('.widget-label'),"
    "       r = s.querySelector('.widget-readout');"
    "   if (!h) return;"
    "   set(h, 'aria-label', l && l.textContent.trim());"
    "   set(h, 'aria-valuetext', r && r.textContent.trim());"
    "  });"
    " };"
    " name();"
    # JupyterLab and Notebook 7 read keys pressed on the slider as notebook shortcuts too (ArrowLeft on
    # the handle also collapsed the heading above the explorer, hiding it): keys inside stay inside.
    " box.setAttribute('data-lm-suppress-shortcuts', 'true');"
    # ... and when the kernel's answer to an arrow key arrives, JupyterLab and Notebook 7 move the focus
    # from the slider to a notebook cell (the next arrow key then acts on the notebook): give it back,
    # unless the student moved it (Tab, Escape, a click: the last input event says which)
    " document.addEventListener('pointerdown', function () { window.__lrlabInput = 'pointer'; }, true);"
    " document.addEventListener('keydown', function (e) { window.__lrlabInput = e.key; }, true);"
    " box.addEventListener('focusout', function (e) {"
    "  var to = e.relatedTarget, how = window.__lrlabInput;"
    "  if (how === 'pointer' || how === 'Tab' || how === 'Escape' || !to || box.contains(to)) return;"
    "  if (to.closest && to.closest('.jp-Notebook')) e.target.focus({preventScroll: true});"
    " });"
    # ipympl's canvas takes every key while it has the focus, Tab too: a keyboard trap (WCAG 2.1.2).
    # Let Tab and Shift+Tab through to the browser (once per page, for every canvas on it).
    " if (!window.__lrlabTabFree) { window.__lrlabTabFree = true;"
    "  document.addEventListener('keydown', function (e) {"
    "   if (e.key === 'Tab' && e.target && e.target.closest && e.target.closest('.jupyter-matplotlib-canvas-div'))"
    "    e.stopPropagation(); }, true); }"
    " new MutationObserver(name).observe(box, {childList: true, subtree: true, characterData: true,"
    "  attributes: true, attributeFilter: ['aria-valuetext', 'aria-valuenow']});"
    "})(this)")


def slider_names() -> W.HTML:
    """An invisible HTML widget that gives the sliders of the explorer it sits in their accessible names
    (put it inside the ``.lrlab-explorer`` box)."""
    w = W.HTML(f'<img alt="" role="presentation" style="display:none" src="{_GIF}" '
               f'onload="{_NAME_SLIDERS_JS}">', layout=W.Layout(width="0px", height="0px", margin="0"))
    w.add_class("lrlab-slider-names")
    return w


#: Nothing in an explorer wider than its column. ipympl sizes its canvas in CSS pixels (the figure's
#: pixels); here the canvas scales down with the column instead (keeping its shape), so nothing is cut off
#: while the kernel lays the figure out anew for the page's width (:data:`_PAGE_FIT_JS`), or where no kernel
#: runs (a saved notebook). ipympl's transparent top canvas (zoom rectangle, mouse events) follows it.
PAGE_FIT_CSS = (
    ".lrlab-explorer .jupyter-matplotlib, .lrlab-explorer .jupyter-matplotlib-figure,"
    " .lrlab-explorer .jupyter-matplotlib-canvas-container { max-width: 100%; min-width: 0; }"
    " .lrlab-explorer .jupyter-matplotlib-canvas-div { max-width: 100%; height: auto !important; }"
    " .lrlab-explorer .jupyter-matplotlib-canvas-div canvas:first-child { position: relative !important;"
    " max-width: 100%; height: auto !important; }"
    " .lrlab-explorer .jupyter-matplotlib-canvas-div canvas + canvas { width: 100% !important;"
    " height: 100% !important; }"
    # a control declared wider than a phone's column (a 420 px slider) takes the column's width
    " .lrlab-explorer .widget-inline-hbox, .lrlab-explorer .widget-hbox { max-width: 100%; }")

#: Tells the kernel how much room the explorer has, through the hidden text box of :func:`page_fit`: the
#: width of its column, the height of the window (or of the scrolling panel it sits in, in JupyterLab), the
#: height of the controls above the figure and the figure's distance from the top of the page, as
#: ``"width height controls top"`` in CSS pixels. Sent when the explorer appears, and again whenever the
#: column's width or the window's height changes (not for a change of the controls' height: a regime label
#: that wraps must not re-lay the figure out). The explorer notes the same string on itself
#: (``data-lrlab-fit``), and the kernel stamps it on the numbers line it sends back (``data-fit``), so a page
#: (the browser tests) can tell when the figure has been laid out for it.
_PAGE_FIT_JS = (
    "(function (img) {"
    " var box = img.closest('.lrlab-explorer'); if (!box || box.__lrlabFit) return; box.__lrlabFit = true;"
    " var sent = '', timer = null;"
    " var scroller = function () {"
    "  for (var e = box.parentElement; e && e !== document.body && e !== document.documentElement;"
    "       e = e.parentElement) {"
    "   var o = getComputedStyle(e).overflowY;"
    "   if ((o === 'auto' || o === 'scroll') && e.clientHeight > 0 && e.scrollHeight > e.clientHeight) return e;"
    "  }"
    "  return null;"
    " };"
    " var report = function () {"
    "  timer = null;"
    "  var input = box.querySelector('.lrlab-fit input'),"
    "      cv = box.querySelector('.jupyter-matplotlib-canvas-div');"
    "  if (!input || !cv || !box.clientWidth) return;"
    "  var sc = scroller(), b = box.getBoundingClientRect(), c = cv.getBoundingClientRect();"
    "  var vh = sc ? sc.clientHeight : window.innerHeight;"
    "  var top = sc ? c.top - sc.getBoundingClientRect().top + sc.scrollTop : c.top + window.scrollY;"
    "  var key = box.clientWidth + ' ' + vh;"
    "  if (key === sent) return;"
    "  sent = key;"
    "  var v = [box.clientWidth, vh, c.top - b.top, top].map(Math.round).join(' ');"
    "  box.setAttribute('data-lrlab-fit', v);"
    "  input.value = v;"
    "  input.dispatchEvent(new Event('change', {bubbles: true}));"
    " };"
    " var later = function () { if (!timer) timer = setTimeout(report, 100); };"
    " new ResizeObserver(later).observe(box);"
    " window.addEventListener('resize', later);"
    " later();"
    "})(this)")


def page_fit() -> tuple:
    """``(html, text)``: two invisible widgets that fit the explorer they sit in to the page (put both inside
    the ``.lrlab-explorer`` box). ``html`` scales the figure's canvas down to its column
    (:data:`PAGE_FIT_CSS`) and reports the room the explorer has into ``text``, a hidden text box whose
    value the kernel observes: ``"width height controls top"`` in CSS pixels (see :data:`_PAGE_FIT_JS`)."""
    html = W.HTML(f'<style>{PAGE_FIT_CSS}</style><img alt="" role="presentation" style="display:none" '
                  f'src="{_GIF}" onload="{_PAGE_FIT_JS}">', layout=W.Layout(width="0px", height="0px", margin="0"))
    html.add_class("lrlab-page-fit")
    text = W.Text(value="", layout=W.Layout(display="none"))
    text.add_class("lrlab-fit")
    return html, text


def preset_buttons(presets: dict, on_click: Callable[[Any], None]) -> list:
    """One button per preset; clicking calls ``on_click(value)``."""
    check_instance("presets", presets, dict, "a dict name -> preset")
    if not callable(on_click):
        raise TypeError(f"on_click must be a function of the preset, got {on_click!r}")
    buttons = []
    for name, value in presets.items():
        tip = name if callable(value) else f"{name}: {value}"
        b = W.Button(description=name, layout=W.Layout(width="auto"), tooltip=tip)
        b.on_click(lambda _b, v=value: on_click(v))
        b.add_class("lrlab-preset")
        buttons.append(b)
    return buttons
