"""Password hashing: bcrypt over an HMAC-SHA256 pre-hash.

bcrypt reads at most 72 bytes and stops at a NUL byte, so two long passwords sharing their
first 72 bytes would be interchangeable. Every password is first reduced to the base64 of its
HMAC-SHA256 (44 ASCII bytes, never a NUL), so all of it counts, whatever its length.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

import bcrypt

from chalicelib.config import get_settings

# A fixed, public key: it only separates these digests from plain SHA-256 ones, so a leaked
# hash cannot be matched against other sites' unsalted SHA-256 dumps. Changing it would lock
# every account out.
_PREHASH_KEY = b"ahoum-bookings/password/v1"


def hash_password(password: str) -> str:
    """A bcrypt hash (cost ``BCRYPT_ROUNDS``) to store in place of the password."""
    salt = bcrypt.gensalt(get_settings().bcrypt_rounds)
    return bcrypt.hashpw(_prehash(password), salt).decode("ascii")


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check ``password`` against a stored hash.

    With no hash (unknown email) the check still runs once, against a dummy hash of the
    configured cost, so a wrong email takes as long as a wrong password.
    """
    stored = password_hash.encode("ascii") if password_hash else _dummy_hash()
    return bcrypt.checkpw(_prehash(password), stored) and password_hash is not None


def _prehash(password: str) -> bytes:
    digest = hmac.new(_PREHASH_KEY, password.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest)


@functools.cache
def _dummy_hash() -> bytes:
    # checkpw only takes the cost and salt from a hash, so a fresh salt with a made-up
    # checksum costs a full bcrypt run without hashing anything at cold start.
    return bcrypt.gensalt(get_settings().bcrypt_rounds) + b"." * 31
