"""The Python peers' environment: installing it (`--setup-venv`) and finding
out which frameworks an interpreter can import."""

import os
import subprocess
import sys

# What each peer imports, and the PyPI requirement that provides it.
MODULES = {"torch": "torch", "torch-cl": "torch", "tf": "tensorflow", "jax": "jax"}
REQUIREMENTS = {"torch": "torch", "torch-cl": "torch", "tf": "tensorflow-cpu", "jax": "jax[cpu]"}


class SetupError(Exception):
    """The virtual environment could not be created or filled."""


def venv_python(folder):
    return os.path.join(folder, "bin", "python")


def setup_venv(folder, frameworks):
    """Creates `folder` as a virtual environment (if it is not one yet) and
    pip-installs numpy plus the given peers into it. Returns its python."""
    python = venv_python(folder)
    if not os.access(python, os.X_OK):
        print(f"creating the virtual environment {folder}", flush=True)
        if subprocess.run([sys.executable, "-m", "venv", folder], check=False).returncode != 0:
            raise SetupError(f"`{sys.executable} -m venv {folder}` failed (Debian: apt-get install python3-venv)")
    packages = ["numpy"] + sorted({REQUIREMENTS[f] for f in frameworks if f in REQUIREMENTS})
    cmd = [python, "-m", "pip", "install"] + packages
    # From PyPI, torch is the CUDA build: ~0.5 GB wheel plus ~2.5 GB of nvidia-* wheels, unused on a CPU.
    print("installing (several minutes, up to ~8 GB on disk with torch): " + " ".join(cmd), flush=True)
    if subprocess.run(cmd, check=False).returncode != 0:
        raise SetupError(f"pip install failed in {folder}; its messages are above")
    return python


def probe(python, framework, env):
    """(version, None) when `python` imports numpy and the framework, else
    (None, the reason in one line)."""
    module = MODULES[framework]
    code = f"import numpy, {module}; print({module}.__version__)"
    try:
        out = subprocess.run([python, "-c", code], check=False, env=env, capture_output=True, text=True, timeout=300)
    except FileNotFoundError:
        return None, f"no interpreter {python}"
    except subprocess.TimeoutExpired:
        return None, f"`{python} -c 'import {module}'` did not finish in 300 s"
    if out.returncode != 0:
        errors = [line for line in out.stderr.strip().splitlines() if "Error" in line]
        reason = errors[-1] if errors else (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1]
        return None, f"`{python} -c 'import numpy, {module}'` failed: {reason.strip()}"
    return out.stdout.strip().splitlines()[-1], None
