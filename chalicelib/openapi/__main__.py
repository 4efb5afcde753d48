"""``python -m chalicelib.openapi PATH``: write the app's OpenAPI document to PATH.

Run from the repository's root, where app.py is (`make openapi` does).
"""

import sys
from pathlib import Path

from app import app
from chalicelib.openapi import write

write(app, Path(sys.argv[1]))
