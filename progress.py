"""What the local runner and the deploy tooling print as they go: one ``==>`` line per step."""

from __future__ import annotations


def step(message: str) -> None:
    print(f"==> {message}", flush=True)
