"""The session store: Django's database sessions, keeping only a keyed hash of each key.

What: ``SessionStore`` is Django's database backend (``django.contrib.sessions.backends.db``)
with one change: the ``session_key`` column holds ``session_key_hash(key)`` (HMAC-SHA256 of
the cookie's value under the credential key's ``session-key`` subkey, 40 hex characters)
instead of the key itself. Every read, write and delete hashes the key first; the browser's
cookie still carries the key. ``SESSION_ENGINE = "cairn.accounts.session_store"``.

Why: a copy of the database (a stolen backup, a leaked dump) used to be a set of live
sign-ins: a session key from ``django_session`` put in a cookie signed its thief in as that
person, two-factor check included. Now the table holds only hashes; a hash presented as a
cookie is hashed again and matches nothing, and without the credential key (wrapped by the
KEK, which is never in the database: ADR 0010) nobody can compute the hash of a guess. The
same hash keys each ``SessionRecord`` (``cairn.accounts.sessions``), so ending a session
from her sessions page deletes its row here too (``delete_hashed``).

Failures: ``cairn.store.keys.KeyUnavailable`` when the configured KEK does not open the
credential key (every signed-in request fails rather than signing anyone in). Changing the
credential key (there is no command that does) would end every session.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from cairn.store import crypto, keys

SESSION_KEY_PURPOSE = "session-key"
# Django's session table keys rows by a 40-character column; 40 hex characters keep 160 bits
# of the HMAC, far more than a lookup needs.
HASH_LENGTH = 40


def session_key_hash(key: str) -> str:
    """The keyed hash a session is stored and recorded under (never the key itself)."""
    return crypto.keyed_digest(keys.credential_subkey(SESSION_KEY_PURPOSE), key, length=HASH_LENGTH)


class SessionStore(db.SessionStore):
    """Database sessions stored under the keyed hash of their key (see the module)."""

    def _stored_key(self, key: str | None) -> str | None:
        return session_key_hash(key) if key else None

    def _get_session_from_db(self) -> Any:
        stored = self._stored_key(self.session_key)
        if stored is None:
            self._session_key = None
            return None
        try:
            return self.model.objects.get(session_key=stored, expire_date__gt=timezone.now())
        except (self.model.DoesNotExist, SuspiciousOperation):
            self._session_key = None
            return None

    async def _aget_session_from_db(self) -> Any:
        stored = self._stored_key(self.session_key)
        if stored is None:
            self._session_key = None
            return None
        try:
            return await self.model.objects.aget(session_key=stored, expire_date__gt=timezone.now())
        except (self.model.DoesNotExist, SuspiciousOperation):
            self._session_key = None
            return None

    def exists(self, session_key: str) -> bool:
        return bool(self.model.objects.filter(session_key=self._stored_key(session_key)).exists())

    async def aexists(self, session_key: str) -> bool:
        return bool(
            await self.model.objects.filter(session_key=self._stored_key(session_key)).aexists()
        )

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        return self.model(
            session_key=self._stored_key(self._get_or_create_session_key()),
            session_data=self.encode(data),
            expire_date=self.get_expiry_date(),
        )

    async def acreate_model_instance(self, data: dict[str, Any]) -> Any:
        key = await self._aget_or_create_session_key()
        return self.model(
            session_key=self._stored_key(key),
            session_data=self.encode(data),
            expire_date=await self.aget_expiry_date(),
        )

    def delete(self, session_key: str | None = None) -> None:
        key = session_key if session_key is not None else self.session_key
        if key is None:
            return
        self.model.objects.filter(session_key=self._stored_key(key)).delete()

    async def adelete(self, session_key: str | None = None) -> None:
        key = session_key if session_key is not None else self.session_key
        if key is None:
            return
        await self.model.objects.filter(session_key=self._stored_key(key)).adelete()

    @classmethod
    def delete_hashed(cls, hashes: Iterable[str]) -> int:
        """Delete the sessions stored under these hashes (ending them from another browser,
        which holds no key). Returns how many rows went."""
        wanted = [h for h in hashes if h]
        if not wanted:
            return 0
        deleted, _ = cls.get_model_class().objects.filter(session_key__in=wanted).delete()
        return deleted
