"""Lecture mode in Chromium: the offline reveal.js deck opened from disk with the network off,
and RISE presenting a lesson with a running kernel inside a real JupyterLab."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_widgets_in_lab import _open_and_run_all  # tests/browser/ is on sys.path (rootdir)

pytestmark = pytest.mark.slow  # runs a lesson / a real JupyterLab, driven by Chromium

LESSON = "02_gradient_descent"


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    from course_utils.instructor import release, slides

    out = tmp_path_factory.mktemp("decks")
    notebooks = slides.select([LESSON], release.course_notebooks())
    (path,) = slides.build(out, notebooks, jobs=1, progress=False)
    return path


@pytest.fixture
def offline_page(browser):
    """A page that may load file:// and 127.0.0.1 URLs only; ``requested`` lists the others."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requested = []

    def guard(route):
        url = route.request.url
        if url.startswith(("file://", "data:", "http://127.0.0.1")):
            route.continue_()
        else:
            page.requested.append(url)
            route.abort()

    context.route("**/*", guard)
    yield page
    context.close()


def test_offline_deck_presents_the_lesson(deck, offline_page, screenshots):
    page = offline_page
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(deck.as_uri())
    page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)

    assert page.evaluate("() => Reveal.getIndices()")["h"] == 0
    page.locator(".reveal").click()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => Reveal.getIndices().h === 1", timeout=5_000)

    # MathJax typeset the formulas (SVG output), and left no raw $$ in the slides' prose.
    page.wait_for_function(
        "() => document.querySelectorAll('.reveal mjx-container').length > 0", timeout=30_000
    )
    prose = page.evaluate(
        "() => [...document.querySelectorAll('.reveal .jp-RenderedMarkdown')]"
        ".map(e => e.innerText).join('\\n')"
    )
    assert "$$" not in prose
    # The lecturer's speaker notes are in the deck (press s), not on the slides.
    assert page.locator(".reveal aside.notes").count() >= 1
    # The lesson's outputs are in the deck: at least one drawn figure.
    assert page.locator(".reveal .jp-RenderedImage img").count() >= 1
    # The widgets show the state they were left in (the site's widget renderer and state).
    page.wait_for_function(
        "() => document.querySelectorAll('.reveal .widget-slider').length > 0", timeout=30_000
    )
    page.wait_for_timeout(1_000)  # the slide transition
    page.screenshot(path=str(screenshots / f"{LESSON}_deck.png"))
    assert page.requested == [], f"the deck asked the network for {page.requested}"
    assert failed == [], f"the deck could not load {failed}"
    assert errors == [], f"the deck raised {errors}"


def test_rise_presents_a_lesson_with_a_running_kernel(lab, page, screenshots):
    lesson_url, _ = lab
    # The lecturer ran the lesson up to here; RISE shares the notebook's kernel.
    _open_and_run_all(page, lesson_url, LESSON)
    # RISE:slideshow (the toolbar's button) opens the deck in a new browser tab; RISE:preview
    # (alt+r) in a panel beside the notebook, an iframe of the same /rise/ page.
    commands = page.evaluate(
        "['RISE:slideshow', 'RISE:preview'].map(c => window.jupyterapp.commands.hasCommand(c))"
    )
    assert commands == [True, True]
    # RISE starts at the active cell: the first.
    page.evaluate("window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0")
    page.evaluate("window.jupyterapp.commands.execute('RISE:preview')")
    frame_element = page.wait_for_selector("iframe[src*='/rise/']", timeout=60_000)
    frame = frame_element.content_frame()
    frame.wait_for_selector(".reveal .slides section", timeout=60_000)

    # Go to the first slide showing a code cell with an output, and run that cell there.
    code = frame.locator(
        ".reveal section.present .jp-CodeCell:not(.reveal-skip):has(.jp-OutputArea-output)"
    ).first
    for _ in range(40):
        if code.count() and code.is_visible():
            break
        frame.locator(".reveal").press("Space")  # next slide, subslide or fragment
        page.wait_for_timeout(300)
    assert code.is_visible(), "no slide of the lesson showed a code cell with an output"
    cell = code.element_handle()
    before = cell.evaluate("cell => cell.querySelector('.jp-InputPrompt').textContent")
    code.locator(".jp-InputArea-editor").click()
    frame.locator(".reveal").press("Shift+Enter")
    frame.wait_for_function(
        """([cell, before]) => {
            const prompt = cell.querySelector('.jp-InputPrompt').textContent;
            return prompt !== before && /\\[\\d+\\]/.test(prompt)
                && cell.querySelectorAll('.jp-OutputArea-output').length > 0;
        }""",
        arg=[cell, before],
        timeout=60_000,
        polling=250,
    )
    errors = code.locator(
        "[data-mime-type='application/vnd.jupyter.error'], "
        "[data-mime-type='application/vnd.jupyter.stderr']:has-text('Traceback')"
    )
    assert errors.count() == 0, "the cell raised an error on its slide"
    page.screenshot(path=str(screenshots / f"{LESSON}_rise.png"))

    # On, to the slide of the lesson's demo; its slider redraws the figure on the slide.
    demo = frame.locator(".reveal section.present .widget-vbox:has(.widget-image)").first
    for _ in range(80):
        if demo.count() and demo.is_visible():
            break
        frame.locator(".reveal").press("Space")
        page.wait_for_timeout(200)
    assert demo.is_visible(), "no slide of the lesson showed its demo"
    picture = demo.locator(".widget-image").first.element_handle()
    before = picture.get_attribute("src")
    # A lecturer drags the handle with the mouse (on a slide the arrow keys turn the slides).
    handle = demo.locator(".widget-slider .noUi-handle, .widget-slider input").first
    for direction in (1, -1):  # back the other way too, in case the handle sat at an end
        _drag(page, handle, 40 * direction)
        try:
            frame.wait_for_function(
                "([element, old]) => element.getAttribute('src') !== old",
                arg=[picture, before],
                timeout=10_000,
            )
            break
        except PlaywrightTimeout:
            continue
    assert picture.get_attribute("src") != before, "dragging the slider did not redraw the figure"
    page.screenshot(path=str(screenshots / f"{LESSON}_rise_slider.png"))


def _drag(page, handle, dx):
    """Drag ``handle`` by ``dx`` pixels once it has come to rest: while reveal.js slides the
    new slide in, the handle is still moving, and a press where it was misses it."""
    box = None
    for _ in range(50):
        previous, box = box, handle.bounding_box()
        if box is not None and box == previous:
            break
        page.wait_for_timeout(200)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=5)
    page.mouse.up()
