"""The unlock screen comes first (issue 15): the window that shows it loads Qt and nothing of the store's crypto,
the keyring or the PDF libraries; those load once it has been painted (desktop/ui/app.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LATER = ("keyring", "sqlcipher3", "cryptography", "argon2", "pypdfium2", "reportlab", "pypdf", "PIL")

PROBE = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop.store.vault import KeyVault
from desktop.ui.app import AppWindow
window = AppWindow(Path(sys.argv[1]), KeyVault())
shown = "Passphrase" in [w.accessibleName() for w in window.findChildren(object) if hasattr(w, "accessibleName")]
print(json.dumps({"shown": shown, "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_the_unlock_screen_is_built_without_the_store_crypto_keyring_or_pdf_libraries(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "store.db").write_bytes(b"")  # a store exists: the unlock screen, not the first run
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DISCLOSURE_DESK_LOG_DIR": str(tmp_path / "log")}
    done = subprocess.run([sys.executable, "-c", PROBE, str(data)], capture_output=True, text=True, env=env,
                          timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["shown"]
    assert not set(LATER) & set(report["loaded"]), sorted(set(LATER) & set(report["loaded"]))


LATER_PROBE = """
import json, sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop.store.vault import KeyVault
from desktop.ui.app import AppWindow
window = AppWindow(Path(sys.argv[1]), KeyVault())
window.show()
deadline = time.monotonic() + 45
while "desktop.ui.workspace" not in sys.modules and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
print(json.dumps({"workspace": "desktop.ui.workspace" in sys.modules, "locked": window.is_locked}))
"""


def test_the_workspace_widgets_are_imported_while_the_passphrase_is_typed(tmp_path: Path) -> None:
    """No click: once the screen is painted and the cores are loaded, the workspace's modules follow, so that the
    store unlocked after Argon2id does not wait for them on the UI thread (issue 15)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "store.db").write_bytes(b"")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DISCLOSURE_DESK_LOG_DIR": str(tmp_path / "log")}
    done = subprocess.run([sys.executable, "-c", LATER_PROBE, str(data)], capture_output=True, text=True, env=env,
                          timeout=90, cwd=REPO)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report == {"workspace": True, "locked": True}
