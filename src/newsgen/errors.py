"""User errors are data: each names the file (and line) at fault and prints without a traceback."""
from __future__ import annotations


class BuildError(Exception):
    """One problem with the user's input, shown as `path:line:col: message`."""

    def __init__(self, path: str, message: str, line: int | None = None, col: int | None = None):
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line
        self.col = col

    def __reduce__(self):
        # Errors cross processes (a pool worker's or a Dask worker's result). Exception's own reduce
        # would call __init__ with its message alone, which fails in the receiving process; in a
        # multiprocessing pool that kills the thread that collects results, and the build waits forever.
        return type(self), (self.path, self.message, self.line, self.col)

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.message}"


class BuildFailed(Exception):
    """The build stopped on user errors; the previous output is untouched."""

    def __init__(self, errors: list[BuildError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors

    def __reduce__(self):
        return type(self), (self.errors,)
