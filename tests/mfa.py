"""Authenticator-app codes in tests, computed as a phone would (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""

import base64
import hashlib
import hmac
import struct
import time

from tests.factories import TOTP_SECRET


def totp_code(secret: str = TOTP_SECRET, *, at: float | None = None) -> str:
    """The 6-digit code an authenticator app shows for `secret` at `at` (now by default)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(
        base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
