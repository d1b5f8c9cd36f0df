"""The course as a static website that works offline: ``python -m course_utils site OUT``.

``build(out)`` runs every lesson (the source notebooks carry worked solutions, so every cell
runs), keeps the state of its widgets, and writes one HTML page per lesson with nbconvert's lab
template plus ``index.html``, the course map. Widgets show the state they were left in: the
sliders at their starting values and the demo pictures they drew. MathJax and the widget
renderer are vendored in ``assets/`` (their sources and licenses: ``assets/README.md``) and
linked by relative URLs, so the site works opened from disk or from any web server, with no
network. Figures are copied to ``OUT/figures/`` and the lessons' ``../figures/`` links rewritten.
"""

import html
import json
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ...validation import positive_int
from .. import release

__all__ = [
    "Lesson",
    "build",
    "course_lessons",
    "execute",
    "render_index",
    "render_lesson",
    "search_index",
]

ASSETS = Path(__file__).with_name("assets")
TEMPLATES = Path(__file__).with_name("templates")
COURSE_TITLE = "Downhill — how neural networks are optimized"
README = release.REPOSITORY / "README.md"

# Relative to the site's root, where every page lives.
MATHJAX_URL = "assets/mathjax/tex-svg-full.js"
MATHJAX_CONFIG_URL = "assets/mathjax-config.js"  # loaded first: $...$ for inline formulas
WIDGET_RENDERER_URL = "assets/html-manager/embed.js"
# Names the widgets' sliders and pictures for screen readers (the course's own script).
ACCESSIBILITY_URL = "assets/accessibility.js"
# The course map's offline search: lunr, the course's search script, and the lessons' text.
SEARCH_URLS = ("assets/lunr/lunr.min.js", "search-index.js", "assets/search.js")

# Outputs that load something from a CDN, and the vendored copy each page loads instead.
LOCAL_COPIES = {
    # matplotlib's animation player (Animation.to_jshtml) draws its buttons with Font Awesome 4.
    "https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css": (
        "assets/font-awesome/css/font-awesome.min.css"
    ),
}
# What a browser would fetch by itself: scripts, stylesheets, images, frames, CSS url()s.
_REMOTE_RESOURCE = re.compile(
    r"""<(?:script|link|img|iframe|source|audio|video)\b[^>]*?\b(?:src|href)\s*=\s*["']?"""
    r"""((?:https?:)?//[^"'\s>]+)|url\(\s*["']?((?:https?:)?//[^"')\s]+)""",
    re.IGNORECASE,
)

# ipykernel keeps an MPLBACKEND it inherits, and the tests set Agg, which would show no plots.
_KERNEL_ENVIRONMENT = {"MPLBACKEND": "module://matplotlib_inline.backend_inline"}
_HEADING = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)
_NUMBERED_TITLE = re.compile(r"^\d+\s*·\s*")
_COURSE_MAP_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`[^`|]+`\s*\|\s*(.+?)\s*\|\s*$", re.MULTILINE)
# matplotlib's animation player: a frame slider with no label.
_ANIMATION_SLIDER = re.compile(r'<input(?=[^>]*\bclass="anim-slider")(?![^>]*\baria-label=)')


@dataclass(frozen=True)
class Lesson:
    """One page of the site: ``number`` ("02"), ``title``, one-line ``description``."""

    notebook: Path
    number: str
    title: str
    description: str

    @property
    def page(self):
        """The page's file name, relative to the site's root."""
        return f"{self.notebook.stem}.html"


def course_lessons(notebooks, course_map=README):
    """A ``Lesson`` for each notebook, in the given order.

    The title is the heading of the notebook's first cell ("# 02 · Gradient descent"). The
    description is the lesson's row in the README's course map, or, for a notebook the map does
    not list, the first sentence of the notebook's opening paragraph.
    """
    import nbformat

    course_map = Path(course_map)
    descriptions = (
        dict(_COURSE_MAP_ROW.findall(course_map.read_text(encoding="utf-8")))
        if course_map.is_file()
        else {}
    )
    lessons = []
    for notebook in notebooks:
        cells = nbformat.read(notebook, as_version=4).cells
        opening = next((cell.source for cell in cells if cell.cell_type == "markdown"), "")
        number = re.match(r"\d*", notebook.stem).group()
        heading = _HEADING.search(opening)
        if heading:
            title = _NUMBERED_TITLE.sub("", heading.group(1))
        else:
            title = notebook.stem[len(number) :].replace("_", " ").strip().capitalize()
        description = descriptions.get(number) or _first_sentence(opening)
        lessons.append(Lesson(notebook, number, title, description))
    return lessons


def _first_sentence(markdown):
    """The first sentence of the first paragraph of prose (not a heading, image or list)."""
    for paragraph in re.split(r"\n\s*\n", markdown):
        text = " ".join(paragraph.split())
        if text and text[0] not in "#!-*|<":
            return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return ""


def execute(notebook, *, timeout=120):
    """Run ``notebook`` top to bottom in its own folder; return it with outputs and widget state.

    Its markdown's ``../figures/`` links are rewritten to ``figures/``, where the site keeps
    them. ``timeout`` is in seconds per cell.
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = Path(notebook)
    text = release._point_figures_beside(json.loads(notebook.read_text(encoding="utf-8")))
    node = nbformat.reads(text, as_version=4)
    client = NotebookClient(
        node,
        timeout=positive_int("timeout", timeout),
        store_widget_state=True,
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    try:
        client.execute(env={**os.environ, **_KERNEL_ENVIRONMENT})
    except Exception as error:
        raise RuntimeError(f"{notebook.name} did not run: {error}") from error
    return node


def render_lesson(node, lesson, previous=None, following=None, lessons=()):
    """The HTML page of an executed notebook, linked to its neighbours and the course map.

    ``lessons`` (every ``Lesson`` of the site, in order) are listed beside the lesson.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="downhill",
        extra_template_basedirs=[str(TEMPLATES)],
        mathjax_url=MATHJAX_URL,
        widget_renderer_url=WIDGET_RENDERER_URL,
    )
    node.metadata["title"] = f"{lesson.number} · {lesson.title} — Downhill"
    resources = {
        "mathjax_config_url": MATHJAX_CONFIG_URL,
        "accessibility_url": ACCESSIBILITY_URL,
        "site": {
            "previous": previous,
            "next": following,
            "current": lesson,
            "lessons": list(lessons),
        },
    }
    page, _ = exporter.from_notebook_node(node, resources=resources)
    page = _ANIMATION_SLIDER.sub('<input aria-label="Animation frame"', page)
    return _served_locally(page, lesson.page)


def _served_locally(page, name):
    """``page`` with every known CDN address replaced by its vendored copy; refuses others."""
    for remote, local in LOCAL_COPIES.items():
        page = page.replace(remote, local)
    remote = _REMOTE_RESOURCE.search(page)
    if remote:
        raise ValueError(
            f"{name} would load {remote.group(1) or remote.group(2)} from the network; "
            "vendor a copy in course_utils/instructor/site/assets/ and add it to LOCAL_COPIES"
        )
    return page


_MARKDOWN_NOISE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|<[^>]+>|[`*_#|>$\\{}]")


def _words_of(markup):
    """A link's or image's words; a space for an HTML tag; nothing for other markup."""
    if markup.group(1) is not None:
        return markup.group(1)
    return " " if markup.group().startswith("<") else ""


def search_index(lessons):
    """``search-index.js``: every lesson's page, number, title, description and the text of its
    markdown (links and images reduced to their words, markup dropped), for ``search.js``."""
    import json

    import nbformat

    documents = []
    for lesson in lessons:
        cells = nbformat.read(lesson.notebook, as_version=4).cells
        markdown = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
        text = " ".join(_MARKDOWN_NOISE.sub(_words_of, markdown).split())
        documents.append(
            {
                "page": lesson.page,
                "number": lesson.number,
                "title": lesson.title,
                "description": lesson.description,
                "text": text,
            }
        )
    data = json.dumps(documents, ensure_ascii=False).replace("</", "<\\/")
    return f"window.DOWNHILL_SEARCH = {data};\n"


def render_index(lessons):
    """The course map: each lesson's number, title (a link to its page) and description, and
    a search over the lessons' text (it needs ``search-index.js`` beside the page)."""
    rows = "\n".join(
        f'<tr><td class="number">{html.escape(lesson.number)}</td>'
        f'<td><a href="{html.escape(lesson.page)}">{html.escape(lesson.title)}</a></td>'
        f"<td>{html.escape(lesson.description)}</td></tr>"
        for lesson in lessons
    )
    return _INDEX.format(
        title=html.escape(COURSE_TITLE),
        rows=rows,
        mathjax_config=MATHJAX_CONFIG_URL,
        mathjax=MATHJAX_URL,
        search="\n".join(f'<script defer src="{url}"></script>' for url in SEARCH_URLS),
    )


_INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<script src="{mathjax_config}"></script>
<script defer src="{mathjax}"></script>
{search}
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5;
       max-width: 62em; margin: 2em auto; padding: 0 1em; color: #1a1a1a; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; vertical-align: top; padding: 0.45em 0.7em;
          border-bottom: 1px solid #ddd; }}
td.number {{ font-variant-numeric: tabular-nums; color: #555; }}
td a {{ font-weight: 600; white-space: nowrap; }}
a {{ color: #0d47a1; }}
#search {{ margin: 1.5em 0 1em; }}
#search label {{ font-weight: 600; margin-right: 0.5em; }}
#search input {{ font: inherit; padding: 0.25em 0.5em; width: 20em; max-width: 100%; }}
#search-results a {{ text-decoration: underline; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Every lesson of the course, run from top to bottom with its worked solutions. The sliders
show their starting values; to drag them and to do the exercises yourself, open the
notebooks in Jupyter.</p>
<form id="search" role="search">
<label for="search-box">Search the lessons</label>
<input id="search-box" type="search" autocomplete="off" aria-describedby="search-status">
<p id="search-status" role="status"></p>
<ul id="search-results"></ul>
</form>
<table>
<thead><tr><th>#</th><th>Lesson</th><th>What it teaches</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


def checked_run_options(notebooks, timeout, jobs):
    """``(notebooks, timeout, jobs)`` checked: existing .ipynb paths (default: the course's),
    whole seconds per cell, and how many notebooks run at once (default: one per CPU)."""
    if notebooks is None:
        notebooks = release.course_notebooks()
    notebooks = [Path(path) for path in notebooks]
    if not notebooks:
        raise ValueError("notebooks must name at least one notebook (default: the whole course)")
    for notebook in notebooks:
        if not notebook.is_file() or notebook.suffix != ".ipynb":
            raise FileNotFoundError(f"notebooks must be existing .ipynb files, got {notebook}")
    jobs = (os.cpu_count() or 1) if jobs is None else positive_int("jobs", jobs)
    return notebooks, positive_int("timeout", timeout), jobs


def execute_all(notebooks, *, timeout, jobs, progress=True):
    """Every notebook executed (``execute``), ``jobs`` at a time, in the order given."""
    from tqdm.auto import tqdm

    bar = tqdm(total=len(notebooks), desc="running", unit="notebook", disable=not progress)

    def run(notebook):
        node = execute(notebook, timeout=timeout)
        bar.update(1)
        return node

    with ThreadPoolExecutor(min(jobs, len(notebooks))) as pool:
        executed = list(pool.map(run, notebooks))
    bar.close()
    return executed


def build(out, notebooks=None, *, timeout=120, jobs=None, progress=True):
    """Execute every notebook and write the site to ``out``; return the pages, index first.

    ``notebooks`` defaults to the whole course; up to ``jobs`` (default: one per CPU) run at
    the same time, each in its own kernel, with ``timeout`` seconds per cell.
    """
    notebooks, timeout, jobs = checked_run_options(notebooks, timeout, jobs)
    lessons = course_lessons(notebooks)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ASSETS, out / "assets", dirs_exist_ok=True)
    for figures in {notebook.parent.parent / "figures" for notebook in notebooks}:
        if figures.is_dir():
            shutil.copytree(figures, out / "figures", dirs_exist_ok=True)

    executed = execute_all(notebooks, timeout=timeout, jobs=jobs, progress=progress)
    index = out / "index.html"
    index.write_text(render_index(lessons), encoding="utf-8")
    (out / "search-index.js").write_text(search_index(lessons), encoding="utf-8")
    pages = [index]
    for position, (lesson, node) in enumerate(zip(lessons, executed, strict=True)):
        previous = lessons[position - 1] if position > 0 else None
        following = lessons[position + 1] if position + 1 < len(lessons) else None
        page = out / lesson.page
        page.write_text(render_lesson(node, lesson, previous, following, lessons), encoding="utf-8")
        pages.append(page)
    return pages
