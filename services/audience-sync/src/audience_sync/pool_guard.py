"""Process-pool children that end with the process that made them.

A ``ProcessPoolExecutor`` child holds both ends of its call queue's pipe, and with the
fork server (the hashing pool) also the server's keep-alive pipe. So when its owner is
SIGKILLed (a crash, the out-of-memory killer, the chaos run) no pipe ever reports the owner
gone: the children wait for work forever, and keep the fork server and the resource
tracker alive with them (about 100 MB each). An orderly stop never needed this: the pool's
``shutdown`` ends them.

:func:`end_with_owner` runs in each child (the pool's initializer) and watches the owner
through a pidfd: readable once the owner has exited. The child then exits at once, whatever
it was doing (its result had nobody left to receive it).
"""

from __future__ import annotations

import os
import select
import threading


def end_with_owner(owner: int) -> None:
    """In a pool child: exit as soon as process ``owner`` does."""
    try:
        watched = os.pidfd_open(owner)
    except ProcessLookupError:  # gone before the child started
        os._exit(1)
    threading.Thread(target=_wait_then_exit, args=(watched,), daemon=True).start()


def _wait_then_exit(watched: int) -> None:
    select.select([watched], [], [])
    os._exit(1)
