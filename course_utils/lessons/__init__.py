"""One package per lesson, named after its notebook: its demos, figures, checks and the
references only it uses. Lessons import the core (``course_utils.*``), never each other.

A notebook imports its own lesson by name, e.g. ``from course_utils.lessons import adam``
(then ``adam.adam_explorer()``) and its checks, ``from course_utils.lessons.adam import
check_adam_update``. To add a lesson: copy a lesson folder, write the notebook, add a row to
``LESSONS`` below and to README's course map.
"""

# In course order: lesson k is notebooks/<k:02d>_<LESSONS[k]>.ipynb.
LESSONS = (
    "start_here",
    "loss_functions",
    "gradient_descent",
    "local_minima_and_saddle_points",
    "stochastic_gradient_descent",
    "mini_batches",
    "momentum",
    "adagrad",
    "rmsprop",
    "adam",
    "learning_rate_schedules",
    "choosing_the_learning_rate",
    "training_a_network",
    "beyond",
)
