"""The static site: lessons run, rendered, linked, and loading nothing from the network."""

import base64
import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from course_utils.__main__ import main
from course_utils.instructor import release, site

LESSONS = ["00_start_here", "02_gradient_descent"]  # small: a slider, a demo, formulas, a figure
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_ATTRIBUTE = re.compile(r"""<(script|link|img|a)\b[^>]*?\b(src|href)="([^"]*)\"""", re.IGNORECASE)


# Runs two lessons in kernels (seconds): every test that reads it is marked slow.
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    notebooks = [release.NOTEBOOKS / f"{lesson}.ipynb" for lesson in LESSONS]
    pages = site.build(out, notebooks, jobs=2, progress=False)
    return out, pages


def _references(page):
    """``(tag, attribute, url)`` of every src/href in a page."""
    return [match.groups() for match in _ATTRIBUTE.finditer(page.read_text(encoding="utf-8"))]


def _widget_state(page):
    text = page.read_text(encoding="utf-8")
    match = re.search(rf'<script type="{re.escape(WIDGET_STATE)}">(.*?)</script>', text, re.S)
    assert match, f"{page.name} keeps no widget state"
    return json.loads(match.group(1))["state"]


@pytest.mark.slow
def test_index_links_every_lesson_with_title_and_description(built):
    out, pages = built
    assert [page.name for page in pages] == ["index.html"] + [f"{x}.html" for x in LESSONS]
    index = (out / "index.html").read_text(encoding="utf-8")
    links = [url for tag, _, url in _references(out / "index.html") if tag == "a"]
    assert links == [f"{lesson}.html" for lesson in LESSONS]
    assert ">Gradient descent</a>" in index and ">Start here</a>" in index
    # The description is the lesson's row of the README's course map.
    assert "steepest descent; the path in the weight plane" in index


@pytest.mark.slow
def test_pages_link_the_course_map_and_their_neighbours(built):
    out, _ = built
    links = {url for tag, _, url in _references(out / "02_gradient_descent.html") if tag == "a"}
    assert {"index.html", "00_start_here.html"} <= links
    assert "02_gradient_descent.html" in {
        url for tag, _, url in _references(out / "00_start_here.html") if tag == "a"
    }


@pytest.mark.slow
def test_pages_load_scripts_and_styles_only_from_the_site(built):
    out, pages = built
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for tag, _, url in _references(page):
            if tag in ("script", "link"):
                assert not re.match(r"(https?:)?//", url), f"{page.name} loads {url}"
                assert (out / url).is_file(), f"{page.name} loads {url}, not in the site"
        assert not re.search(r"""url\(\s*["']?(https?:)?//""", text), page.name
    lesson = (out / "02_gradient_descent.html").read_text(encoding="utf-8")
    for url in (site.MATHJAX_CONFIG_URL, site.MATHJAX_URL, site.WIDGET_RENDERER_URL):
        assert f'src="{url}"' in lesson
    for cdn in ("cdnjs.cloudflare.com", "unpkg.com", "cdn.jsdelivr.net", "require.js"):
        assert cdn not in lesson


@pytest.mark.slow
def test_figures_and_plots_resolve(built):
    out, _ = built
    page = out / "02_gradient_descent.html"
    images = [url for tag, _, url in _references(page) if tag == "img"]
    files = [url for url in images if not url.startswith("data:")]
    assert "figures/02_learning_rates.png" in files
    for url in files:
        assert (out / url).is_file(), f"{url} is missing from the site"
    # Plots are inline PNGs: the kernel drew with the inline backend, not the tests' Agg.
    assert sum(url.startswith("data:image/png;base64,") for url in images) >= 3


@pytest.mark.slow
def test_widget_state_holds_the_sliders_and_the_demo_picture(built):
    out, _ = built
    for lesson in LESSONS:
        page = out / f"{lesson}.html"
        state = _widget_state(page)
        views = re.findall(
            r'<script type="application/vnd.jupyter.widget-view\+json">\s*(\{.*?\})\s*</script>',
            page.read_text(encoding="utf-8"),
            re.S,
        )
        assert views, f"{lesson} shows no widget"
        for view in views:
            assert json.loads(view)["model_id"] in state
        assert any(model["model_name"].endswith("SliderModel") for model in state.values())
    images = [
        model
        for model in _widget_state(out / "02_gradient_descent.html").values()
        if model["model_name"] == "ImageModel"
    ]
    assert images, "the demo's picture is not in the saved state"
    (buffer,) = images[0]["buffers"]
    assert base64.b64decode(buffer["data"]).startswith(b"\x89PNG")


def test_assets_are_vendored_with_their_licenses_and_small():
    files = [path for path in site.ASSETS.rglob("*") if path.is_file()]
    assert sum(path.stat().st_size for path in files) < 5_000_000
    for folder in ("mathjax", "html-manager", "font-awesome", "lunr"):
        assert (site.ASSETS / folder / "LICENSE").is_file()
    own = (site.ACCESSIBILITY_URL, site.SEARCH_URLS[0], site.SEARCH_URLS[2])
    for url in (site.MATHJAX_URL, site.WIDGET_RENDERER_URL, *site.LOCAL_COPIES.values(), *own):
        assert (site.ASSETS.parent / url).is_file()


def test_known_cdn_addresses_become_local_copies_and_others_are_refused():
    remote, local = next(iter(site.LOCAL_COPIES.items()))
    page = f'<link rel="stylesheet"\nhref="{remote}">\n<a href="https://example.org">a link</a>'
    assert site._served_locally(page, "x.html") == page.replace(remote, local)
    for unknown in (
        '<script src="https://cdn.example.org/lib.js"></script>',
        "<link rel=stylesheet href='//cdn.example.org/style.css'>",
        "<style>@import url('http://cdn.example.org/font.css');</style>",
    ):
        with pytest.raises(ValueError, match="x.html would load .*cdn.example.org"):
            site._served_locally(unknown, "x.html")


def _notebook(path, *cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(cell) if kind == "md" else nbformat.v4.new_code_cell(cell)
        for kind, cell in cells
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)
    return path


def test_lessons_read_titles_from_the_notebook_and_descriptions_from_the_course_map(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "| # | notebook | what |\n|---|---|---|\n| 07 | `adagrad` | steps per weight |\n"
    )
    mapped = _notebook(tmp_path / "07_adagrad.ipynb", ("md", "# 07 · AdaGrad\n\nIntro."))
    unmapped = _notebook(
        tmp_path / "42_extra.ipynb",
        ("md", "# 42 · An extra\n\n![a figure](x.png)\n\nFirst sentence here. Second one."),
    )
    untitled = _notebook(tmp_path / "43_no_heading.ipynb", ("code", "1 + 1"))
    lessons = site.course_lessons([mapped, unmapped, untitled], course_map=readme)
    assert [(x.number, x.title, x.description) for x in lessons] == [
        ("07", "AdaGrad", "steps per weight"),
        ("42", "An extra", "First sentence here."),
        ("43", "No heading", ""),
    ]
    assert lessons[0].page == "07_adagrad.html"


@pytest.mark.slow
def test_cli_builds_a_site_from_a_folder_of_notebooks(tmp_path, capsys):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _notebook(
        folder / "01_tiny.ipynb",
        ("md", "# 01 · Tiny\n\nA formula: $\\eta$."),
        ("code", "print(6 * 7)"),
    )
    out = tmp_path / "site"
    assert main(["site", str(out), "--notebooks", str(folder), "--jobs", "1"]) == 0
    assert "wrote 2 pages" in capsys.readouterr().out
    page = (out / "01_tiny.html").read_text(encoding="utf-8")
    assert "42" in page and "$\\eta$" in page
    assert WIDGET_STATE not in page and site.WIDGET_RENDERER_URL not in page  # no widgets


@pytest.mark.slow
def test_a_failing_notebook_names_itself(tmp_path):
    broken = _notebook(tmp_path / "01_broken.ipynb", ("code", "1 / 0"))
    with pytest.raises(RuntimeError, match="(?s)01_broken.ipynb did not run.*ZeroDivisionError"):
        site.execute(broken)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"notebooks": []}, ValueError, "at least one notebook"),
        ({"notebooks": [Path("no/such.ipynb")]}, FileNotFoundError, "no/such.ipynb"),
        ({"timeout": 0}, ValueError, "timeout"),
        ({"timeout": 1.5}, TypeError, "timeout"),
        ({"jobs": 0}, ValueError, "jobs"),
    ],
)
def test_bad_input_is_refused_before_anything_runs(tmp_path, arguments, error, message):
    arguments = {"notebooks": [release.NOTEBOOKS / "00_start_here.ipynb"], **arguments}
    with pytest.raises(error, match=message):
        site.build(tmp_path / "out", **arguments)
    assert not (tmp_path / "out").exists()


PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()


def _executed(*outputs_and_sources):
    """A notebook that looks executed: code cells with the given outputs, no kernel needed."""
    node = nbformat.v4.new_notebook()
    node.cells = [nbformat.v4.new_markdown_cell("# 01 · Tiny\n\nThe update $w$.")]
    for count, (source, outputs) in enumerate(outputs_and_sources, start=1):
        cell = nbformat.v4.new_code_cell(source, execution_count=count)
        cell.outputs = [nbformat.from_dict(output) for output in outputs]
        node.cells.append(cell)
    return node


def _figure(metadata=None):
    return {
        "output_type": "display_data",
        "data": {"image/png": PNG, "text/plain": "<Figure>"},
        "metadata": metadata or {},
    }


def test_every_drawn_figure_gets_an_alt_text(tmp_path):
    node = _executed(
        ("plot()", [_figure({"image/png": {"alt": "A plot: 'Loss', x: step & <more>."}})]),
        ("x = 1\n# the loss curves\nplot()", [_figure()]),
        ("plot()", [_figure()]),
    )
    lesson = site.Lesson(tmp_path / "01_tiny.ipynb", "01", "Tiny", "")
    page = site.render_lesson(node, lesson)
    images = re.findall(r"<img\b[^>]*>", page)
    alts = [html.unescape(re.search(r'\balt="([^"]*)"', image).group(1)) for image in images]
    assert alts == [
        "A plot: 'Loss', x: step & <more>.",
        "Figure drawn by the code above: the loss curves",
        "Figure drawn by the code above",
    ]


def test_lesson_pages_list_the_course_and_name_the_animation_slider(tmp_path):
    lessons = [
        site.Lesson(tmp_path / f"{number}_x.ipynb", number, f"Lesson {number}", "")
        for number in ("01", "02", "03")
    ]
    player = '<input id="_anim_slider1" type="range" class="anim-slider" name="points">'
    node = _executed(
        (
            "animate()",
            [
                {
                    "output_type": "display_data",
                    "data": {"text/html": player, "text/plain": "<Animation>"},
                    "metadata": {},
                }
            ],
        )
    )
    page = site.render_lesson(node, lessons[1], lessons[0], lessons[2], lessons)
    course_map = re.search(r'<nav\b[^>]*class="downhill-toc"[^>]*>(.*?)</nav>', page, re.S)
    assert course_map, "no course map beside the lesson"
    assert re.findall(r'href="([^"]+)"', course_map.group(1)) == [
        "index.html",
        "index.html#search-box",
        "01_x.html",
        "02_x.html",
        "03_x.html",
    ]
    assert re.search(r'<a [^>]*aria-current="page"[^>]*>02 · Lesson 02</a>', course_map.group(1))
    assert "← Previous: 01 · Lesson 01" in page and "Next: 03 · Lesson 03 →" in page
    assert re.search(r'<input aria-label="Animation frame"[^>]*id="_anim_slider1"', page)
    assert f'src="{site.ACCESSIBILITY_URL}"' not in page  # no widgets, no widget script


def test_the_search_index_holds_every_lesson_text(tmp_path):
    notebook = _notebook(
        tmp_path / "07_adagrad.ipynb",
        ("md", "# 07 · AdaGrad\n\nSteps per **weight**: see [the paper](x.html) and $\\eta$."),
        ("code", "secret_code = 1"),
        ("md", "## Why </script> stays text"),
    )
    (lesson,) = site.course_lessons([notebook], course_map=tmp_path / "none.md")
    script = site.search_index([lesson])
    assert script.startswith("window.DOWNHILL_SEARCH = ") and "</script>" not in script
    (document,) = json.loads(script.removeprefix("window.DOWNHILL_SEARCH = ").rstrip(";\n"))
    assert document["page"] == "07_adagrad.html" and document["title"] == "AdaGrad"
    assert "Steps per weight: see the paper and eta." in document["text"]
    assert "secret_code" not in document["text"]
    index = site.render_index([lesson])
    for url in site.SEARCH_URLS:
        assert f'src="{url}"' in index
    assert '<label for="search-box">' in index


def test_a_collapsed_proof_cell_stays_folded_on_the_page(tmp_path):
    node = _executed(
        ("plot()", [_figure()]),
        ("# Proof: two is two, & <so> on\nassert 1 + 1 == 2", []),
        ("assert 2 + 2 == 4", []),
    )
    for cell in node.cells[2:]:
        cell.metadata["jupyter"] = {"source_hidden": True}
    page = site.render_lesson(node, site.Lesson(tmp_path / "01_tiny.ipynb", "01", "Tiny", ""))
    folded = re.findall(r"<details class=\"downhill-proof\">(.*?)</details>", page, re.S)
    assert len(folded) == 2 and "plot" not in "".join(folded)
    # the summary is the cell's first comment, or a plain description where there is none
    assert "<summary>Proof: two is two, &amp; &lt;so&gt; on</summary>" in folded[0]
    assert "<summary>Proof: the code that checks these numbers</summary>" in folded[1]
