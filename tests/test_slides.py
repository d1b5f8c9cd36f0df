"""Offline lecture decks: the command line's arguments, and the HTML of a tiny executed
notebook's deck (no kernel needed). tests/browser/test_slides_in_browser.py opens a lesson's
deck in Chromium."""

import base64
import re
from pathlib import Path

import nbformat
import pytest

from course_utils.__main__ import main
from course_utils.instructor import release, site, slides

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
_LOADS = re.compile(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]*)\"""", re.IGNORECASE)


def _course(folder):
    """A folder of three empty course notebooks."""
    folder.mkdir()
    for stem in ["00_start_here", "02_gradient_descent", "10_learning_rate_schedules"]:
        nbformat.write(nbformat.v4.new_notebook(), folder / f"{stem}.ipynb")
    return folder


def _tiny_executed():
    """An executed notebook: a title slide, a formula, a figure, a fragment and speaker notes."""
    node = nbformat.v4.new_notebook()
    title = nbformat.v4.new_markdown_cell("# 01 · Tiny\n\nThe update $$w \\leftarrow w - g$$")
    title.metadata["slideshow"] = {"slide_type": "slide"}
    code = nbformat.v4.new_code_cell("plot()", execution_count=1)
    code.metadata["slideshow"] = {"slide_type": "slide"}
    code.outputs = [
        nbformat.from_dict(
            {
                "output_type": "display_data",
                "data": {"image/png": PNG, "text/plain": "<Figure>"},
                "metadata": {},
            }
        )
    ]
    fragment = nbformat.v4.new_markdown_cell("And then some.")
    fragment.metadata["slideshow"] = {"slide_type": "fragment"}
    notes = nbformat.v4.new_markdown_cell("Say: the step is *against* the gradient.")
    notes.metadata["slideshow"] = {"slide_type": "notes"}
    node.cells = [title, code, fragment, notes]
    return node


def test_lessons_are_chosen_by_stem_or_number_in_the_order_given(tmp_path):
    notebooks = release.course_notebooks(_course(tmp_path / "notebooks"))
    stems = [path.stem for path in slides.select(["10", "02_gradient_descent", "2"], notebooks)]
    assert stems == ["10_learning_rate_schedules", "02_gradient_descent"]
    assert slides.select([], notebooks) == notebooks
    assert slides.select(["00_start_here.ipynb"], notebooks) == notebooks[:1]
    with pytest.raises(ValueError, match="no lesson '7'.*02_gradient_descent"):
        slides.select(["7"], notebooks)


def test_cli_passes_lessons_and_options_to_build(tmp_path, monkeypatch, capsys):
    folder = _course(tmp_path / "notebooks")
    calls = []

    def build(out, notebooks, *, timeout, jobs):
        calls.append((out, [path.name for path in notebooks], timeout, jobs))
        return [Path(out) / f"{path.stem}.slides.html" for path in notebooks]

    monkeypatch.setattr(slides, "build", build)
    out = tmp_path / "decks"
    arguments = ["slides", str(out), "02", "--notebooks", str(folder), "--timeout", "30"]
    assert main(arguments) == 0
    assert calls == [(out, ["02_gradient_descent.ipynb"], 30, None)]
    deck = out / "02_gradient_descent.slides.html"
    assert f"wrote 1 decks; open {deck}" in capsys.readouterr().out
    assert main(["slides", str(out), "--notebooks", str(folder), "--jobs", "2"]) == 0
    assert calls[-1] == (out, [p.name for p in sorted(folder.glob("*.ipynb"))], 120, 2)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["07"], "no lesson '07'"),
        (["--timeout", "0"], "--timeout"),
        (["--jobs", "0"], "--jobs"),
    ],
)
def test_cli_refuses_bad_arguments_before_anything_runs(tmp_path, capsys, arguments, message):
    folder = _course(tmp_path / "notebooks")
    out = tmp_path / "decks"
    with pytest.raises(SystemExit) as exit_:
        main(["slides", str(out), *arguments, "--notebooks", str(folder)])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"notebooks": []}, ValueError, "at least one notebook"),
        ({"notebooks": [Path("no/such.ipynb")]}, FileNotFoundError, "no/such.ipynb"),
        ({"timeout": 0}, ValueError, "timeout"),
        ({"jobs": 0}, ValueError, "jobs"),
    ],
)
def test_build_refuses_bad_input_before_anything_runs(tmp_path, arguments, error, message):
    arguments = {"notebooks": [release.NOTEBOOKS / "00_start_here.ipynb"], **arguments}
    with pytest.raises(error, match=message):
        slides.build(tmp_path / "out", **arguments)
    assert not (tmp_path / "out").exists()


def test_deck_of_an_executed_notebook_loads_everything_from_its_folder(tmp_path):
    notebook = tmp_path / "01_tiny.ipynb"
    nbformat.write(_tiny_executed(), notebook)
    (lesson,) = site.course_lessons([notebook])
    deck = slides.render_deck(_tiny_executed(), lesson)
    slides.copy_assets(tmp_path / "out")

    loads = _LOADS.findall(deck)
    assert "reveal.js/dist/reveal.js" in loads and "reveal.js/dist/notes.js" in loads
    assert "reveal.js/dist/reveal.css" in loads and "reveal.js/dist/theme/white.css" in loads
    assert site.MATHJAX_CONFIG_URL in loads and site.MATHJAX_URL in loads
    for url in loads:
        if not url.startswith("data:"):
            assert not re.match(r"(https?:)?//", url), f"the deck loads {url} from the network"
            assert (tmp_path / "out" / url).is_file(), f"the deck loads {url}, not in OUT"
    assert "require.js" not in deck and "jquery" not in deck.lower()
    assert "Reveal.initialize" in deck and "plugins: [RevealNotes]" in deck
    # Two slides, the figure inline, the formula left for MathJax, the notes for the speaker.
    assert len(re.findall(r"<section\b", deck)) >= 2
    assert f"data:image/png;base64,{PNG}" in deck
    assert "$$w \\leftarrow w - g$$" in deck
    assert re.search(r'<aside class="notes">.*against.*</aside>', deck, re.S)
    assert 'class="fragment' in deck
    assert "<title>01 · Tiny — Downhill slides</title>" in deck
    assert site.WIDGET_RENDERER_URL not in deck  # no widgets, no renderer


def test_reveal_is_vendored_with_its_license(tmp_path):
    files = {path.relative_to(slides.REVEAL).as_posix() for path in slides.REVEAL.rglob("*")}
    assert {"LICENSE", "reveal.js", "reveal.css", "notes.js", "theme/white.css"} <= files
    assert "MIT" in (slides.REVEAL / "LICENSE").read_text(encoding="utf-8")
    assert sum(path.stat().st_size for path in slides.REVEAL.rglob("*")) < 1_000_000
    # The theme's font is vendored too: nothing fetched from Google Fonts.
    theme = (slides.REVEAL / "theme" / "white.css").read_text(encoding="utf-8")
    assert not re.search(r"@import url\((https?:)?//", theme)


def test_a_collapsed_proof_cell_stays_folded_in_the_deck(tmp_path):
    node = _tiny_executed()
    proof = nbformat.v4.new_code_cell("assert 1 + 1 == 2  # the proof", execution_count=2)
    proof.metadata["jupyter"] = {"source_hidden": True}
    node.cells.insert(2, proof)
    notebook = tmp_path / "01_tiny.ipynb"
    nbformat.write(node, notebook)
    (lesson,) = site.course_lessons([notebook])
    deck = slides.render_deck(node, lesson)
    folded = re.findall(r"<details class=\"downhill-proof\">(.*?)</details>", deck, re.S)
    assert len(folded) == 1 and "the proof" in folded[0] and "plot" not in folded[0]
