"""The course's command line, for instructors and maintainers.

python -m course_utils release OUT                  student versions of every notebook
python -m course_utils grade SUBMISSIONS --out grades.csv [--timeout SECONDS]
python -m course_utils figures [NAME ...]           regenerate figures/
"""

import argparse
import sys
from pathlib import Path


def _release(args):
    from . import release

    notebooks = release.course_notebooks(args.notebooks)
    for path in release.release(args.out, notebooks):
        print(path)


def _grade(args):
    from . import grading, release

    notebooks = release.course_notebooks(args.notebooks)
    grades = grading.grade(
        args.submissions,
        args.out,
        timeout=args.timeout,
        feedback=args.feedback,
        notebooks=notebooks,
    )
    problems = [g for g in grades if g.error]
    print(f"graded {len(grades)} files ({len(problems)} with a problem) -> {args.out}")
    for problem in problems:
        print(f"  {problem.student}/{problem.notebook}: {problem.error}")


def _figures(args):
    from . import figures

    for path in figures.regenerate(folder=args.folder, only=args.only or None):
        print(path)


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of seconds ≥ 1, got {text}")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m course_utils",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    release_parser = commands.add_parser("release", help="write student versions to OUT")
    release_parser.add_argument("out", type=Path, help="folder for the student notebooks")
    release_parser.add_argument(
        "--notebooks", type=Path, help="source notebooks (default: the course's)"
    )
    release_parser.set_defaults(run=_release)

    grade_parser = commands.add_parser(
        "grade", help="autograde SUBMISSIONS/<student>/<notebook>.ipynb into a CSV"
    )
    grade_parser.add_argument("submissions", type=Path)
    grade_parser.add_argument("--out", type=Path, required=True, help="the CSV to write")
    grade_parser.add_argument(
        "--timeout", type=_positive_int, default=30, help="seconds per cell (30)"
    )
    grade_parser.add_argument(
        "--feedback", type=Path, help="feedback folder (default: beside the CSV)"
    )
    grade_parser.add_argument(
        "--notebooks", type=Path, help="source notebooks (default: the course's)"
    )
    grade_parser.set_defaults(run=_grade)

    figures_parser = commands.add_parser("figures", help="regenerate every file in figures/")
    figures_parser.add_argument("--folder", help="write here instead of the repository's figures/")
    figures_parser.add_argument("only", nargs="*", help="names of figures to make (default: all)")
    figures_parser.set_defaults(run=_figures)

    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (FileNotFoundError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
