"""WCAG 2.1 AA: every page of the course site passes axe-core's A and AA rules in Chromium.

axe-core is vendored in ``vendor/axe-core/`` (its version and source: ``vendor/README.md``).
"""

from pathlib import Path

import pytest

from course_utils.instructor import release

pytestmark = pytest.mark.slow  # builds the whole site, drives Chromium

AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = ["index"] + [notebook.stem for notebook in release.course_notebooks()]
# Rendered: MathJax has typeset every formula and the widget renderer has drawn every widget.
RENDERED = """() => {
    const typeset = !window.MathJax || (MathJax.startup && MathJax.startup.promise);
    const views = document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]').length;
    const drawn = document.querySelectorAll('.jupyter-widgets.widget-box, ' +
        '.jupyter-widgets.widget-inline-hbox, .jupyter-widgets.widget-image').length;
    return typeset && (views === 0 || drawn > 0);
}"""


def _violations(page):
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        f"{len(violation['nodes'])} element(s), e.g. {violation['nodes'][0]['html'][:200]}"
        for violation in results["violations"]
    ]


def test_axe_is_vendored_with_its_license():
    assert AXE.is_file() and AXE.stat().st_size > 100_000
    assert (AXE.parent / "LICENSE").is_file()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_passes_wcag_2_1_aa(course_site, page, name):
    page.goto((course_site / f"{name}.html").as_uri())
    page.wait_for_load_state("load")
    page.wait_for_function(RENDERED, timeout=30_000)
    page.evaluate("() => window.MathJax ? MathJax.startup.promise.then(() => true) : true")
    page.wait_for_timeout(300)  # the widgets' accessibility script runs on each DOM change
    assert _violations(page) == []


def test_widgets_and_pictures_are_named(course_site, page):
    page.goto((course_site / "09_adam.html").as_uri())
    page.wait_for_load_state("load")
    page.locator("img.widget-image").first.wait_for(timeout=30_000)
    page.wait_for_timeout(300)
    handles = page.locator('[role="slider"]')
    assert handles.count() >= 2
    for index in range(handles.count()):
        assert handles.nth(index).get_attribute("aria-label")
    alt = page.locator("img.widget-image").first.get_attribute("alt")
    assert alt.startswith("Picture: ") and len(alt) > 30


def test_drawn_figures_say_what_they_show(course_site, page):
    page.goto((course_site / "10_learning_rate_schedules.html").as_uri())
    page.wait_for_load_state("load")
    figures = page.locator(".jp-RenderedImage img")
    assert figures.count() >= 5
    alts = [figures.nth(index).get_attribute("alt") for index in range(figures.count())]
    assert all(alts) and sum("x: " in alt for alt in alts) >= 3
    # Formulas carry MathML that screen readers read.
    page.wait_for_function(RENDERED, timeout=30_000)
    page.evaluate("() => MathJax.startup.promise.then(() => true)")
    assert page.locator("mjx-assistive-mml").count() > 0


def test_the_course_map_searches_the_lessons_offline(course_site, page):
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto((course_site / "index.html").as_uri())
    page.wait_for_load_state("load")
    page.get_by_label("Search the lessons").fill("bias correction")
    page.wait_for_function("() => document.querySelectorAll('#search-results a').length > 0")
    results = page.locator("#search-results a").all_text_contents()
    assert results[0] == "09 · Adam"
    assert "found" in page.locator("#search-status").text_content()
    page.get_by_label("Search the lessons").fill("zzzzqx")
    assert page.locator("#search-results a").count() == 0
    assert failed == []
