"""Django's database sessions, refusing a session cookie that no session key could be."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    # Django makes keys of 32 lowercase letters and digits and accepts any cookie of 8 characters or
    # more. A forged cookie can carry a NUL byte (sessionid="\000…" decodes to one), which PostgreSQL
    # refuses in a query with an error: such a visitor is simply signed out.
    def _validate_session_key(self, key: str | None) -> bool:
        return bool(key and len(key) >= 8 and key.isascii() and key.isalnum())
