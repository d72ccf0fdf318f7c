"""The one error the pure readers raise: bad input, named by its file and line or field."""

from __future__ import annotations


class CheckInputError(ValueError):
    """The file cannot be read. ``where`` names the file and the line, item or field."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message
