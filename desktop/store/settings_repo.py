"""The post's settings as the store keeps them (key and value; desktop/settings.py gives them types)."""

from __future__ import annotations

from desktop.store.session import RepositoryBase

SETTING_DEFAULTS = {
    "post_name": "",
    "bates_prefix": "",
    "idle_lock_minutes": "10",
}


class SettingsRepository(RepositoryBase):
    def settings(self) -> dict[str, str]:
        with self._read() as conn:
            stored = dict(conn.execute("SELECT key, value FROM settings").fetchall())
        return {**SETTING_DEFAULTS, **stored}

    def setting(self, key: str) -> str:
        return self.settings().get(key, "")

    def set_settings(self, values: dict[str, str]) -> None:
        with self.transaction("settings.update", "settings", None, {"keys": sorted(values)}) as tx:
            conn = tx.conn
            conn.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )
