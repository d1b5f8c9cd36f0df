"""The static site opened from disk with the network cut off: formulas, widgets, icons render."""

import nbformat
import pytest

from course_utils.instructor import release, site

pytestmark = pytest.mark.slow  # builds a site, drives Chromium

LESSON = "02_gradient_descent"
# An animation (whose player draws Font Awesome icons) next to a widget (whose renderer brings
# a Font Awesome of its own): the page must load the site's copy and nothing else.
PLAYER = "98_player"
PLAYER_CODE = """\
import ipywidgets
from course_utils import landscapes, plotting, training

bowl = landscapes.quadratic_bowl()
display(ipywidgets.IntSlider(value=3, max=10, description="n"))
plotting.animate(bowl, [training.descend(bowl, lr=0.1, steps=10)], frames=5)
"""
MATHJAX_DONE = "() => window.MathJax && MathJax.startup && MathJax.startup.promise"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebooks")
    player = nbformat.v4.new_notebook()
    player.cells = [
        nbformat.v4.new_markdown_cell("# 98 · Player\n\nThe update $w \\leftarrow w - \\eta g$."),
        nbformat.v4.new_code_cell(PLAYER_CODE),
    ]
    player.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(player, folder / f"{PLAYER}.ipynb")
    out = tmp_path_factory.mktemp("site")
    notebooks = [release.NOTEBOOKS / f"{LESSON}.ipynb", folder / f"{PLAYER}.ipynb"]
    site.build(out, notebooks, jobs=2, progress=False)
    return out


@pytest.fixture
def offline(page):
    """``(page, refused, failed)``: every http(s) request is refused and recorded in
    ``refused``; ``failed`` records every request that did not succeed (a missing file too)."""
    refused, failed = [], []

    def refuse_the_network(route):
        if route.request.url.startswith(("http:", "https:")):
            refused.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", refuse_the_network)
    page.on("requestfailed", lambda request: failed.append(request.url))
    return page, refused, failed


def _open(page, path):
    page.goto(path.as_uri())
    page.wait_for_load_state("load")


def test_lesson_shows_formulas_and_widgets_offline(built, offline, screenshots):
    page, refused, failed = offline
    _open(page, built / f"{LESSON}.html")
    page.wait_for_function(MATHJAX_DONE, timeout=30_000)
    page.evaluate("() => MathJax.startup.promise.then(() => true)")
    assert page.locator(".jp-RenderedMarkdown mjx-container").count() >= 20
    assert page.locator("mjx-merror").count() == 0
    leftover_dollars = page.evaluate(
        """() => [...document.querySelectorAll('.jp-RenderedMarkdown')].map(cell => {
            const text = cell.cloneNode(true);
            text.querySelectorAll('mjx-container, code, pre').forEach(e => e.remove());
            return text.textContent;
        }).filter(text => text.includes('$'))"""
    )
    assert leftover_dollars == [], "formulas left as TeX source"

    demo = page.locator(".widget-vbox:has(.widget-image)").first
    demo.wait_for(state="visible", timeout=30_000)
    demo.scroll_into_view_if_needed()
    assert demo.locator(".widget-slider").first.is_visible()
    picture = demo.locator("img.widget-image").first
    assert picture.evaluate("image => image.complete && image.naturalWidth > 200")
    demo.screenshot(path=str(screenshots / f"site_{LESSON}_demo.png"))
    page.locator("h1").first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"site_{LESSON}.png"))
    assert refused == [] and failed == []


def test_index_opens_every_lesson(built, offline, screenshots):
    page, refused, failed = offline
    _open(page, built / "index.html")
    links = page.locator("table a")
    assert links.all_text_contents() == ["Gradient descent", "Player"]
    # The player's description is its opening sentence, a formula in it.
    page.wait_for_function(MATHJAX_DONE, timeout=30_000)
    page.evaluate("() => MathJax.startup.promise.then(() => true)")
    assert page.locator("td mjx-container").count() == 1
    page.screenshot(path=str(screenshots / "site_index.png"))
    links.first.click()
    page.wait_for_url("**/02_gradient_descent.html")
    assert page.title().startswith("02 · Gradient descent")
    assert refused == [] and failed == []


def test_animation_player_draws_its_icons_from_the_site(built, offline, screenshots):
    page, refused, failed = offline
    _open(page, built / f"{PLAYER}.html")
    page.locator(".jupyter-widgets .widget-slider").first.wait_for(timeout=30_000)
    play = page.locator("i.fa-play").first
    play.scroll_into_view_if_needed()
    statuses = page.evaluate(
        """() => document.fonts.ready.then(() => [...document.fonts]
            .filter(face => face.family.replace(/["']/g, '') === 'FontAwesome')
            .map(face => face.status))"""
    )
    assert statuses == ["loaded"]
    assert play.bounding_box()["width"] > 5
    page.screenshot(path=str(screenshots / "site_player.png"))
    assert refused == [] and failed == []
