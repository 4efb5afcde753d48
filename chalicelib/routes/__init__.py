"""The JSON API's routes, one module per domain, each a ``Routes`` that app.py registers
(``BookingsApp.register``): a route declares its operation and calls one service.

A declaration names its body, query and answer schemas as ``schemas.X`` and ``answers.X``.
For a reader, an editor and a type checker those are the classes themselves: each module
imports the ``definitions`` modules under ``TYPE_CHECKING``. At run time the same names are
the lazy packages (``chalicelib.lazy.Reference``), so that loading app.py, as all three
Lambdas do, imports neither marshmallow nor apispec.
"""
