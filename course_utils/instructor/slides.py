"""Offline lecture decks: ``python -m course_utils slides OUT [LESSON ...]``.

``build(out, notebooks)`` runs each lesson as the site does (``site.execute``: outputs and
widget state kept) and writes ``OUT/<stem>.slides.html`` with nbconvert's reveal.js exporter:
one deck per lesson, its figures inline, the widgets showing the state they were left in, and
cells marked ``slide_type: notes`` as speaker notes (press ``s``). reveal.js (vendored from npm,
``slides_assets/reveal.js/``, with its license) is copied to ``OUT/reveal.js/dist/``, and the
site's MathJax and widget renderer to ``OUT/assets/``, so a deck opened from disk needs no
network. To present with a running kernel instead, use RISE in JupyterLab (README, "In a
lecture").
"""

import re
import shutil
from pathlib import Path

from . import site

__all__ = ["build", "copy_assets", "render_deck", "select"]

SLIDES_ASSETS = Path(__file__).with_name("slides_assets")
REVEAL = SLIDES_ASSETS / "reveal.js"
TEMPLATES = SLIDES_ASSETS / "templates"
# Relative to OUT, where every deck lives.
REVEAL_URL_PREFIX = "reveal.js"


def select(lessons, notebooks):
    """The notebooks that ``lessons`` name (a stem, ``02_gradient_descent``, or a number,
    ``02`` or ``2``), in the order given; all of ``notebooks`` when ``lessons`` is empty."""
    notebooks = [Path(path) for path in notebooks]
    if not lessons:
        return notebooks
    chosen = []
    for name in lessons:
        name = str(name).removesuffix(".ipynb")
        matches = [notebook for notebook in notebooks if _names(name, notebook)]
        if not matches:
            known = ", ".join(notebook.stem for notebook in notebooks)
            raise ValueError(f"no lesson {name!r}; the lessons are {known}")
        chosen.extend(match for match in matches if match not in chosen)
    return chosen


def _names(name, notebook):
    """Whether ``name`` is ``notebook``'s stem or, as a number, its lesson number."""
    number = re.match(r"\d+", notebook.stem)
    if notebook.stem == name:
        return True
    return bool(name.isdigit() and number and int(number.group()) == int(name))


def render_deck(node, lesson):
    """The reveal.js deck of an executed notebook, loading only files beside it in OUT."""
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(
        template_name="downhill-slides",
        extra_template_basedirs=[str(TEMPLATES)],
        reveal_url_prefix=REVEAL_URL_PREFIX,
        reveal_theme="white",
        mathjax_url=site.MATHJAX_URL,
        widget_renderer_url=site.WIDGET_RENDERER_URL,
    )
    node.metadata["title"] = f"{lesson.number} · {lesson.title} — Downhill"
    resources = {
        "mathjax_config_url": site.MATHJAX_CONFIG_URL,
        "accessibility_url": site.ACCESSIBILITY_URL,
    }
    deck, _ = exporter.from_notebook_node(node, resources=resources)
    return site._served_locally(deck, f"{lesson.notebook.stem}.slides.html")


def build(out, notebooks=None, *, timeout=120, jobs=None, progress=True):
    """Execute ``notebooks`` (default: the whole course) and write a deck for each to ``out``;
    return the decks' paths. ``timeout`` is seconds per cell; up to ``jobs`` (default: one
    per CPU) run at once."""
    notebooks, timeout, jobs = site.checked_run_options(notebooks, timeout, jobs)
    lessons = site.course_lessons(notebooks)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out, notebooks)
    executed = site.execute_all(notebooks, timeout=timeout, jobs=jobs, progress=progress)

    decks = []
    for lesson, node in zip(lessons, executed, strict=True):
        deck = out / f"{lesson.notebook.stem}.slides.html"
        deck.write_text(render_deck(node, lesson), encoding="utf-8")
        decks.append(deck)
    return decks


def copy_assets(out, notebooks=()):
    """Put what the decks load into ``out``: reveal.js, the site's assets and the figures."""
    out = Path(out)
    shutil.copytree(REVEAL, out / REVEAL_URL_PREFIX / "dist", dirs_exist_ok=True)
    shutil.copytree(site.ASSETS, out / "assets", dirs_exist_ok=True)
    for figures in {Path(notebook).parent.parent / "figures" for notebook in notebooks}:
        if figures.is_dir():
            shutil.copytree(figures, out / "figures", dirs_exist_ok=True)
