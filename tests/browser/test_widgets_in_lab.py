"""Open lessons in a real JupyterLab, run them, drag a demo's slider, watch the figure change."""

import statistics
import time

import pytest

pytestmark = pytest.mark.slow  # a real JupyterLab driven by Chromium

LESSONS = ["02_gradient_descent", "09_adam"]
DEMO = ".widget-vbox:has(.widget-image)"  # a course_utils.widgets.Demo: controls, picture, status


def _open_and_run_all(page, lesson_url, lesson):
    page.goto(lesson_url.format(lesson=lesson))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(
        """() => {
            const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            const kernel = widget && widget.sessionContext && widget.sessionContext.session
                && widget.sessionContext.session.kernel;
            return kernel && kernel.status === 'idle';
        }""",
        timeout=60_000,
        polling=250,
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # Done when every code cell has an execution count (read from the notebook's model: a
    # collapsed cell shows no prompt) and the kernel is idle again.
    page.wait_for_function(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            const cells = panel.content.model.cells;
            const code = [...Array(cells.length).keys()].map(i => cells.get(i))
                .filter(cell => cell.type === 'code');
            return code.length > 0 && code.every(cell => cell.executionCount !== null)
                && panel.sessionContext.session.kernel.status === 'idle';
        }""",
        timeout=120_000,
        polling=500,
    )


def _errors(page):
    return page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ":has-text('Traceback'), .jp-RenderedText[data-mime-type="
        "'application/vnd.jupyter.error']"
    ).count()


@pytest.mark.parametrize("lesson", LESSONS)
def test_slider_redraws_the_figure(lab, page, lesson, screenshots):
    lesson_url, _ = lab
    _open_and_run_all(page, lesson_url, lesson)
    assert _errors(page) == 0, f"{lesson} raised an error when run in JupyterLab"
    # The environment's JupyterLab settings (jupyter-config/lab/overrides.json) turn off the
    # news toast that would otherwise cover the lesson on first start.
    assert page.get_by_text("official Jupyter news").count() == 0

    demo = page.locator(DEMO).first
    demo.scroll_into_view_if_needed()
    picture = demo.locator(".widget-image").first
    slider = demo.locator(".widget-slider .noUi-handle, .widget-slider input").first
    assert picture.is_visible() and slider.count() == 1
    demo.screenshot(path=str(screenshots / f"{lesson}_before.png"))

    latencies = []
    for key in ["ArrowRight"] * 3 + ["ArrowLeft"] * 3:
        before = picture.get_attribute("src")
        slider.focus()
        started = time.perf_counter()
        page.keyboard.press(key)
        page.wait_for_function(
            "([element, old]) => element.getAttribute('src') !== old",
            arg=[picture.element_handle(), before],
            timeout=10_000,
            polling="raf",
        )
        latencies.append((time.perf_counter() - started) * 1000)
    demo.screenshot(path=str(screenshots / f"{lesson}_after.png"))
    page.screenshot(path=str(screenshots / f"{lesson}_page.png"))
    print(
        f"\n{lesson}: slider → new figure in the browser: median "
        f"{statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms "
        f"(screenshots in {screenshots})"
    )
