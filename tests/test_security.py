"""Hardened serving defaults, read back from Streamlit's effective configuration, and no unpickling anywhere."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from ae_models.library import weights_files
from ae_models.user_images import MAX_UPLOAD_BYTES
from dashboard.live_server import dashboard_server

from .conftest import REPO_ROOT, WEIGHTS_DIR

HARDENED = {
    "server.enableXsrfProtection": True,
    "server.enableCORS": True,
    "server.enableStaticServing": False,
    "server.runOnSave": False,
    "server.fileWatcherType": "none",
    "browser.gatherUsageStats": False,
    "client.showErrorDetails": "none",
}
# built from pieces so that this file does not match its own search
UNSAFE_LOADERS = re.compile(
    r"\b(import\s+{0}|from\s+{0}\b|{0}\.|torch\.load\b|allow_{0}\s*=\s*True|{1}\b|joblib\.load)".format(
        "pick" + "le", "di" + "ll"
    )
)


@pytest.fixture(scope="module")
def effective_config() -> dict[str, object]:
    """What Streamlit resolves in the repo root, as `make run` starts it, free of this shell's overrides."""
    names = [*HARDENED, "server.maxUploadSize", "server.maxMessageSize", "server.disconnectedSessionTTL"]
    script = (
        "import json, sys, streamlit.config as c; c.get_config_options(force_reparse=True); "
        "print(json.dumps({n: c.get_option(n) for n in sys.argv[1:]}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    result = subprocess.run(
        [sys.executable, "-c", script, *names], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_effective_config_is_hardened(effective_config: dict[str, object]) -> None:
    assert {name: effective_config[name] for name in HARDENED} == HARDENED


def test_uploads_are_capped_at_what_the_app_needs(effective_config: dict[str, object]) -> None:
    cap = int(effective_config["server.maxUploadSize"]) * 2**20  # type: ignore[arg-type]
    largest_weights = max(path.stat().st_size for path in weights_files(WEIGHTS_DIR))
    assert max(largest_weights, MAX_UPLOAD_BYTES) <= cap <= 2 * max(largest_weights, MAX_UPLOAD_BYTES)


def test_closed_tabs_are_cleaned_up_within_minutes(effective_config: dict[str, object]) -> None:
    assert 0 < int(effective_config["server.disconnectedSessionTTL"]) <= 300  # type: ignore[arg-type]


def test_no_code_unpickles_or_calls_torch_load() -> None:
    skipped = {".venv", "cache", "build"}
    sources = [p for p in REPO_ROOT.rglob("*.py") if not skipped & set(p.relative_to(REPO_ROOT).parts)]
    assert len(sources) > 40
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if UNSAFE_LOADERS.search(line)
    ]
    assert not offenders, offenders


def test_the_pattern_catches_what_it_should() -> None:
    for line in ("import " + "pick" + "le", "model = torch" + ".load(path)", "np.load(f, allow_" + "pickle=True)"):
        assert UNSAFE_LOADERS.search(line), line
    assert not UNSAFE_LOADERS.search("weights = load_model(path)")


@pytest.mark.browser
def test_a_live_server_refuses_uploads_without_its_xsrf_token(tmp_path) -> None:
    with dashboard_server(tmp_path) as live:
        upload = urllib.request.Request(
            f"{live.url}/_stcore/upload_file/some-session/some-file", data=b"payload", method="PUT"
        )
        with pytest.raises(urllib.error.HTTPError) as forbidden:
            urllib.request.urlopen(upload, timeout=10)
        assert forbidden.value.code == 403
