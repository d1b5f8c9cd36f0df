"""The course's command line, for instructors and maintainers.

python -m course_utils release OUT                  student versions of every notebook
python -m course_utils grade SUBMISSIONS --out grades.csv [--timeout SECONDS]
python -m course_utils figures [NAME ...]           regenerate figures/
python -m course_utils site OUT                     every lesson, run, as an offline website
"""

import argparse
import sys
from pathlib import Path


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
        autograded=args.autograded,
        notebooks=notebooks,
        jobs=args.jobs,
    )
    problems = [g for g in grades if g.error]
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


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of seconds ≥ 1, got {text}")
    return value


def _add_options(parser, *, timeout=None, jobs=None, notebooks=False):
    """Add the options commands share, in this order: ``--timeout`` (seconds per cell, default
    ``timeout``), ``--jobs`` (how many of ``jobs`` at once) and ``--notebooks``."""
    if timeout is not None:
        parser.add_argument(
            "--timeout", type=_positive_int, default=timeout, help=f"seconds per cell ({timeout})"
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

    release_parser = commands.add_parser("release", help="write student versions to OUT")
    release_parser.add_argument("out", type=Path, help="folder for the student notebooks")
    _add_options(release_parser, notebooks=True)
    release_parser.set_defaults(run=_release)

    grade_parser = commands.add_parser(
        "grade", help="autograde SUBMISSIONS/<student>/<notebook>.ipynb into a CSV"
    )
    grade_parser.add_argument("submissions", type=Path)
    grade_parser.add_argument("--out", type=Path, required=True, help="the CSV to write")
    _add_options(grade_parser, timeout=30)
    grade_parser.add_argument(
        "--feedback", type=Path, help="feedback folder (default: beside the CSV)"
    )
    grade_parser.add_argument(
        "--autograded", type=Path, help="also keep the executed notebooks here (instructors only)"
    )
    _add_options(grade_parser, jobs="notebooks graded", notebooks=True)
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

    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        parser.exit(2, f"error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
