"""pytest setup shared by the unit tests and nbval's notebook runs."""

import os

import pytest

# Figures render off-screen everywhere: in tests, in nbval's kernels and on CI.
os.environ.setdefault("MPLBACKEND", "Agg")

# nbval waits only 5 s for each output message after a cell (nbval #151, #231); a cell that
# builds an animation can take longer on a loaded two-core machine.
NBVAL_OUTPUT_TIMEOUT_SECONDS = 60


def pytest_collection_modifyitems(items):
    for item in items:
        if hasattr(item, "output_timeout"):
            item.output_timeout = NBVAL_OUTPUT_TIMEOUT_SECONDS
        # nbval's items (one per cell of a notebook) run kernels: `-m "not slow"` skips them.
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
