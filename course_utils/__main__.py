"""The course's command line, for learners, instructors and maintainers.

python -m course_utils lab [FOLDER]                 open JupyterLab on your workbook (made once)
python -m course_utils progress [FOLDER]            which of your exercises pass their checks
python -m course_utils release OUT                  student versions of every notebook
python -m course_utils grade SUBMISSIONS --out grades.csv [--timeout SECONDS]
                                [--jobs N | --scheduler ADDRESS] [--no-sandbox]
python -m course_utils figures [NAME ...]           regenerate figures/
python -m course_utils site OUT                     every lesson, run, as an offline website
python -m course_utils slides OUT [LESSON ...]      lessons, run, as offline reveal.js decks
"""

import argparse
import sys
from pathlib import Path


def _lab(args):
    from . import workbook

    workbook.open_lab(args.folder)


def _progress(args):
    from . import workbook

    notebooks = args.notebooks
    for line in workbook.report(workbook.progress(args.folder, sources=notebooks)):
        print(line)


def _release(args):
    from .instructor import release

    notebooks = release.course_notebooks(args.notebooks)
    for path in release.release(args.out, notebooks):
        print(path)


def _grade(args):
    from .instructor import grading, release

    notebooks = release.course_notebooks(args.notebooks)
    grades = grading.grade(
        args.submissions,
        args.out,
        timeout=args.timeout,
        feedback=args.feedback,
        notebooks=notebooks,
        jobs=args.jobs,
        sandbox=not args.no_sandbox,
        scheduler=args.scheduler,
    )
    problems = [g for g in grades if g.error]
    if args.no_sandbox:
        print("graded unsandboxed (--no-sandbox): only the policy and the limits confined the code")
    print(f"graded {len(grades)} files ({len(problems)} with a problem) -> {args.out}")
    for problem in problems:
        print(f"  {problem.student}/{problem.notebook}: {problem.error}")


def _figures(args):
    from . import figures

    for path in figures.regenerate(folder=args.folder, only=args.only or None):
        print(path)


def _site(args):
    from .instructor import release, site

    notebooks = release.course_notebooks(args.notebooks)
    pages = site.build(args.out, notebooks, timeout=args.timeout, jobs=args.jobs)
    print(f"wrote {len(pages)} pages; open {pages[0]}")


def _slides(args):
    from .instructor import release, slides

    notebooks = slides.select(args.lessons, release.course_notebooks(args.notebooks))
    decks = slides.build(args.out, notebooks, timeout=args.timeout, jobs=args.jobs)
    print(f"wrote {len(decks)} decks; open {decks[0]}")


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of seconds ≥ 1, got {text}")
    return value


def _add_options(parser, *, timeout=None, per="cell", jobs=None, notebooks=False):
    """Add the options commands share, in this order: ``--timeout`` (seconds per ``per``,
    default ``timeout``), ``--jobs`` (how many of ``jobs`` at once) and ``--notebooks``."""
    if timeout is not None:
        parser.add_argument(
            "--timeout", type=_positive_int, default=timeout, help=f"seconds per {per} ({timeout})"
        )
    if jobs is not None:
        parser.add_argument(
            "--jobs", type=_positive_int, help=f"{jobs} at once (default: one per CPU)"
        )
    if notebooks:
        parser.add_argument(
            "--notebooks", type=Path, help="source notebooks (default: the course's)"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m course_utils",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    lab_parser = commands.add_parser(
        "lab", help="open JupyterLab on your workbook, making it from the release the first time"
    )
    lab_parser.add_argument(
        "folder", nargs="?", type=Path, default=Path("workbook"), help="(default: workbook/)"
    )
    lab_parser.set_defaults(run=_lab)

    progress_parser = commands.add_parser(
        "progress", help="run the visible check of every exercise in your notebooks"
    )
    progress_parser.add_argument(
        "folder", nargs="?", type=Path, default=Path("workbook"), help="(default: workbook/)"
    )
    _add_options(progress_parser, notebooks=True)
    progress_parser.set_defaults(run=_progress)

    release_parser = commands.add_parser("release", help="write student versions to OUT")
    release_parser.add_argument("out", type=Path, help="folder for the student notebooks")
    _add_options(release_parser, notebooks=True)
    release_parser.set_defaults(run=_release)

    grade_parser = commands.add_parser(
        "grade",
        help="grade SUBMISSIONS/<student>/<notebook>.ipynb into a CSV, each exercise in a clean "
        "room",
    )
    grade_parser.add_argument("submissions", type=Path)
    grade_parser.add_argument("--out", type=Path, required=True, help="the CSV to write")
    _add_options(grade_parser, timeout=30, per="exercise")
    grade_parser.add_argument(
        "--feedback", type=Path, help="feedback folder (default: beside the CSV)"
    )
    _add_options(grade_parser, jobs="exercises graded", notebooks=True)
    grade_parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="grade on this Dask distributed scheduler (tcp://host:8786) instead of here",
    )
    grade_parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="grade without bubblewrap where it cannot run (only submissions you trust)",
    )
    grade_parser.set_defaults(run=_grade)

    figures_parser = commands.add_parser("figures", help="regenerate every file in figures/")
    figures_parser.add_argument("--folder", help="write here instead of the repository's figures/")
    figures_parser.add_argument("only", nargs="*", help="names of figures to make (default: all)")
    figures_parser.set_defaults(run=_figures)

    site_parser = commands.add_parser(
        "site", help="run every notebook and write the course as a static website to OUT"
    )
    site_parser.add_argument("out", type=Path, help="folder for the site (index.html ...)")
    _add_options(site_parser, timeout=120, jobs="notebooks run", notebooks=True)
    site_parser.set_defaults(run=_site)

    slides_parser = commands.add_parser(
        "slides", help="run lessons and write each as an offline reveal.js deck to OUT"
    )
    slides_parser.add_argument("out", type=Path, help="folder for the decks (NN_name.slides.html)")
    slides_parser.add_argument(
        "lessons", nargs="*", metavar="LESSON", help="02 or 02_gradient_descent (default: all)"
    )
    _add_options(slides_parser, timeout=120, jobs="notebooks run", notebooks=True)
    slides_parser.set_defaults(run=_slides)

    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        parser.exit(2, f"error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
