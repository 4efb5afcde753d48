"""Where the dev runner finds things, relative to the repository, never to the caller's cwd,
and the one place it keeps its data (``DATA_DIR``), readable by this user only."""

from __future__ import annotations

import os
from pathlib import Path

# DATA_DIR holds secrets (the JWT and webhook keys), the database and the CRM deliveries.
PRIVATE_UMASK = 0o077

REPO_ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO_ROOT / "node_modules"


def private_data_dir(data_dir: Path) -> Path:
    """Create ``data_dir`` readable by this user only (0700), and make what an earlier run left
    there so too: directories 0700, files 0600. Files created later keep to that when the
    process runs with ``PRIVATE_UMASK`` (``make run`` sets it for itself and its children)."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    for root, directories, files in os.walk(data_dir):
        for name in directories:
            (Path(root) / name).chmod(0o700)
        for name in files:
            (Path(root) / name).chmod(0o600)
    return data_dir
