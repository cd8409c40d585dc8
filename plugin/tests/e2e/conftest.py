"""End-to-end fixtures live in harness.py (importable by the tests as well)."""
from harness import hub_factory, outpost, sshd, workdir  # noqa: F401
