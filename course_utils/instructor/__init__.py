"""What instructors run, apart from what learners import: ``release`` writes the student
versions of the notebooks with nbgrader, ``grading`` auto-grades a class's submissions, and
``site`` runs every lesson and writes the course as an offline website. Learners never need
these modules (nor nbgrader, nbconvert or a browser); the command line
``python -m course_utils release|grade|site`` drives them, and each loads only when imported,
e.g. ``from course_utils.instructor import grading``.
"""
