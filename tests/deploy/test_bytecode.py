"""The deployment zip ships bytecode Lambda can use from its read-only code directory:
compiled for the runtime's Python, unchecked-hash, and never a stale ``__pycache__`` found in
the working tree. (The packaged zip itself is checked in test_package.py, the zip `chalice
deploy` uploads in test_rehearsal.py.)"""

import subprocess
import sys
import zipfile

import pytest

from deploy import bundle
from deploy.project import DeployError


def make_zip(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_stale_bytecode_is_replaced_by_unchecked_bytecode_of_the_shipped_source(tmp_path):
    stale = compile("VALUE = 'stale'\n", "pkg/mod.py", "exec")
    zip_path = make_zip(
        tmp_path / "deployment.zip",
        {
            "pkg/__init__.py": "",
            "pkg/mod.py": "VALUE = 'shipped'\n",
            # What a working tree's __pycache__ holds: other sources, other Pythons.
            "pkg/__pycache__/mod.cpython-313.pyc": b"\0" * 16 + bytes(stale.co_code),
            "pkg/__pycache__/gone.cpython-39.pyc": b"old",
            "pkg/data.txt": "not python",
        },
    )

    assert bundle.compile_bytecode(zip_path) == 2

    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "task")
    assert names == {
        "pkg/__init__.py",
        "pkg/mod.py",
        "pkg/data.txt",
        bundle.pyc_path("pkg/__init__.py"),
        bundle.pyc_path("pkg/mod.py"),
    }
    report = bundle.inspect(zip_path)
    assert (report.sources, report.sources_with_bytecode) == (2, 2)
    # Unchecked: the import uses the bytecode without looking at the source again, so a
    # source changed after unzipping (as an mtime is) does not make it compile anything.
    (tmp_path / "task" / "pkg" / "mod.py").write_text("VALUE = 'edited after packaging'\n")
    imported = subprocess.run(
        [sys.executable, "-c", "import pkg.mod; print(pkg.mod.VALUE, pkg.mod.__cached__)"],
        cwd=tmp_path / "task",
        capture_output=True,
        text=True,
        check=True,
    )
    value, cached = imported.stdout.split()
    assert value == "shipped"
    assert cached.endswith(bundle.pyc_path("mod.py"))


def test_a_source_without_bytecode_is_counted_as_such(tmp_path):
    zip_path = make_zip(tmp_path / "deployment.zip", {"app.py": "", "lib.py": "X = 1\n"})
    bundle.compile_bytecode(zip_path)
    with zipfile.ZipFile(zip_path) as archive, zipfile.ZipFile(tmp_path / "half.zip", "w") as half:
        for info in archive.infolist():
            if info.filename != bundle.pyc_path("lib.py"):
                half.writestr(info, archive.read(info))

    report = bundle.inspect(tmp_path / "half.zip")

    assert (report.sources, report.sources_with_bytecode) == (2, 1)


def test_packaging_on_another_python_than_the_runtimes_is_refused(tmp_path):
    zip_path = make_zip(tmp_path / "deployment.zip", {"app.py": ""})

    with pytest.raises(DeployError, match=r"Python 3\.11.*Lambdas run Python 3\.13"):
        bundle.compile_bytecode(zip_path, python=(3, 11))

    with zipfile.ZipFile(zip_path) as archive:
        assert archive.namelist() == ["app.py"]  # left as it was


def test_the_chalice_packager_hook_answers_a_finished_zip_and_leaves_chalice_s_cache(tmp_path):
    from deploy.chalice_cli import finishing

    cached = make_zip(
        tmp_path / "0123abcd-python3.13.zip",
        {
            "app.py": "",
            "chalicelib/__pycache__/stale.cpython-313.pyc": b"stale",
            "botocore/__init__.py": "",
            "botocore-1.0.0.dist-info/RECORD": "botocore/__init__.py,,\n",
        },
    )
    before = cached.read_bytes()

    def chalice_build(packager, project_dir, python_version):
        return str(cached)

    answered = finishing(chalice_build)(object(), str(tmp_path), "python3.13")

    assert answered == str(tmp_path / "0123abcd-python3.13.lambda.zip")
    assert cached.read_bytes() == before  # Chalice's cache stays as Chalice made it
    with zipfile.ZipFile(answered) as archive:
        assert set(archive.namelist()) == {"app.py", bundle.pyc_path("app.py")}


def test_the_lambdas_run_the_python_that_packages_them_and_their_bytecode_is_for_it():
    """Chalice picks the Lambda runtime from the Python running it, so .venv's Python, the
    bytecode's and the Makefile's must be one version."""
    from chalice_config import REPO_ROOT

    assert sys.version_info[:2] == bundle.LAMBDA_PYTHON == (3, 13)
    assert bundle.pyc_path("app.py").endswith(".cpython-313.pyc")
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert "PYTHON ?= python3.13\n" in makefile and "PYTHON_VERSION := 3.13\n" in makefile
