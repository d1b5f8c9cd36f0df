"""Unit tests run offline: any attempt to reach a non-local address fails loudly. Shared
fixtures: ``imports_no_heavy_library``, ``example_landscape_matches_autograd``, ``released``."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

_LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in _LOCAL_HOSTS and sock.family != socket.AF_UNIX:
            raise RuntimeError(f"tests must not use the network (tried to reach {address})")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture
def imports_no_heavy_library():
    """``imports_no_heavy_library("course_utils.losses")`` imports the module in a fresh
    interpreter and fails if that pulls in torch, matplotlib, scipy or sklearn."""

    def check(module):
        code = (
            f"import sys, {module}; "
            "heavy = {'torch', 'matplotlib', 'scipy', 'sklearn'} & set(sys.modules); "
            "assert not heavy, heavy"
        )
        subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])

    return check


@pytest.fixture
def example_landscape_matches_autograd():
    """``example_landscape_matches_autograd(landscape, points)`` holds the gradient and the
    Hessian of an ``ExampleLandscape`` against torch autograd at each point, and its examples'
    gradients against the gradient: the loss is their mean."""
    torch = pytest.importorskip("torch")
    import numpy as np

    def check(landscape, points):
        for w in points:
            w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
            landscape.torch_loss(w_t).backward()
            np.testing.assert_allclose(landscape.grad(w), w_t.grad.numpy(), rtol=1e-10, atol=1e-12)
            hessian = torch.autograd.functional.hessian(landscape.torch_loss, w_t.detach())
            np.testing.assert_allclose(landscape.hessian(w), hessian.numpy(), atol=1e-10)
            np.testing.assert_allclose(
                landscape.example_grads(w).mean(axis=0), landscape.grad(w), rtol=1e-10, atol=1e-12
            )

    return check


@pytest.fixture(scope="session")
def released(tmp_path_factory):
    """The student version of every course notebook, released once for the whole test run
    (nbgrader takes seconds); tests read it, none writes to it."""
    from course_utils.instructor import release

    out = tmp_path_factory.mktemp("released")
    release.release(out, release.course_notebooks())
    return out
