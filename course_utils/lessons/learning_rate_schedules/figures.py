r"""Lesson 10's key figure: the schedules side by side.

- ``10_schedules``: every schedule of ``course_utils.schedules`` over 100 steps, in four
  families: decays, warm restarts, cyclic, one-cycle and warm-up.
"""

from ... import plotting, schedules
from ...figures import figure, new_figure
from ...validation import positive_int

__all__ = ["gallery"]


@figure("10_schedules")
def gallery(steps=100):
    """The schedules over ``steps`` steps at a peak rate of 0.1, one family per panel."""
    steps = positive_int("steps", steps)
    families = {
        "Decay": {
            "step_decay(step_size=25, γ=0.5)": schedules.step_decay(0.1, steps // 4, 0.5),
            "exponential(γ=0.97)": schedules.exponential(0.1, 0.97),
            f"cosine(T_max={steps})": schedules.cosine(0.1, steps),
        },
        "Warm restarts (SGDR)": {
            "T_0=25, T_mult=1": schedules.cosine_warm_restarts(0.1, steps // 4),
            "T_0=10, T_mult=2": schedules.cosine_warm_restarts(0.1, steps // 10, 2),
        },
        "Cyclic (base_lr=0.01, step_size_up=10)": {
            "triangular": schedules.cyclic(0.01, 0.1, steps // 10),
            "triangular2": schedules.cyclic(0.01, 0.1, steps // 10, "triangular2"),
            "exp_range(γ=0.98)": schedules.cyclic(0.01, 0.1, steps // 10, "exp_range", 0.98),
        },
        "One-cycle and warm-up": {
            f"one_cycle(total_steps={steps})": schedules.one_cycle(0.1, steps),
            "10 warm-up steps, then cosine": schedules.linear_warmup(
                0.1, 10, after=schedules.cosine(0.1, steps - 10)
            ),
        },
    }
    fig = new_figure(15.0, 9.0)
    axes = fig.subplots(2, 2)
    for ax, (title, family) in zip(axes.ravel(), families.items(), strict=True):
        plotting.schedule_curves(family, steps, ax=ax, title=title)
        ax.set_ylim(0, 0.11)
        ax.legend(loc="upper right", fontsize=11)
    fig.suptitle(f"Learning-rate schedules: lr(t) for t = 0, …, {steps - 1}", fontsize=19)
    return fig
