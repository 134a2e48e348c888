"""Errors meant for the user: they carry a Dutch message and become a clean CLI exit."""

from __future__ import annotations


class UserFacingError(Exception):
    """An error the user can fix (bad input, wrong option). Its message is Dutch and complete."""

    exit_code: int = 2
