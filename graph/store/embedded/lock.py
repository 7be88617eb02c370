"""The embedded store's write lock: one writer per directory, refused at once, never waited for.

An exclusive, non-blocking ``flock`` on ``DIR/write.lock`` held for the whole of an apply or
clear. The kernel frees it when the holder exits, even after ``kill -9``, so it is never stale;
the holder's pid is written into the file for the message a second writer gets.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from graph.errors import StoreLocked


class WriteLock:
    """Exclusive, non-blocking ``flock`` on ``DIR/write.lock``; records the holder's pid.

    >>> import tempfile
    >>> with WriteLock(tempfile.mkdtemp()):
    ...     pass
    """

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.path = self.directory / "write.lock"
        self.fd: int | None = None

    def __enter__(self) -> "WriteLock":
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            who = f"pid {holder}" if holder else "another process"
            raise StoreLocked(
                f"数据库正在被另一个写入进程占用 / the store at {self.directory} is being written by {who}",
                f"Wait for that load to finish and try again (reading keeps working meanwhile). If "
                f"no load should be running, stop {who} and retry; the lock is freed when it exits.")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
