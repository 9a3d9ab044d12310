"""Errors that are the user's to fix; the CLI prints them as one line and exits with status 2."""


class UsageError(Exception):
    """A bad flag or argument, named in the message."""
