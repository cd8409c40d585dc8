"""Entry point: ``python3 -m outpost_spawnerhost --config FILE``."""

import argparse
import asyncio
import ctypes
import logging
import os
import sys

from .protocol import Channel
from .protocol import take_stdio


PR_SET_CHILD_SUBREAPER = 36


def keep_orphans():
    """Split into a keeper and the host; return only in the host.

    The servers a spawner launches outlive a killed host (that is what lets a new host adopt
    them), but whoever inherits them must reap them: a zombie looks alive to
    LocalProcessSpawner.poll(). The keeper is that process, as the host's subreaper. It holds
    no channel, reaps every descendant, and exits with the host's status once nothing is left.
    Without prctl (not Linux) the host runs alone.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):
        return
    host = os.fork()
    if host == 0:
        return
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the Outpost sees EOF as soon as the host is gone
        os.dup2(devnull, fd)
    status = 0
    while True:
        try:
            pid, wait_status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == host:
            status = os.waitstatus_to_exitcode(wait_status)
    os._exit(status if status >= 0 else 128 - status)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="outpost_spawnerhost", description=__doc__)
    parser.add_argument("--config", required=True, help="the Outpost config file (c.JupyterHubOutpost.* ...)")
    parser.add_argument("--log-level", default=os.environ.get("OUTPOST_SPAWNERHOST_LOG_LEVEL", "INFO"))
    parser.add_argument("--no-keeper", action="store_true", help="do not fork a subreaper (the caller reaps orphans)")
    args = parser.parse_args(argv)

    if not args.no_keeper:
        keep_orphans()
    read_fd, write_fd = take_stdio()  # before anything can print
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="[%(levelname).1s %(asctime)s %(name)s] %(message)s",
    )
    log = logging.getLogger("outpost_spawnerhost")

    from .config import ConfigFileError, load_config
    from .host import Host

    try:
        config = load_config(args.config)
        log.info("pid %d, spawner class %s", os.getpid(), config.spawner_class_name)
    except ConfigFileError as exc:
        log.error("%s (each start reads the file again)", exc)

    async def run():
        channel = Channel(read_fd, write_fd)
        await channel.open()
        await Host(channel, args.config).serve()

    asyncio.run(run())
    logging.shutdown()
    # spawned servers keep running; anything that ignored cancellation is left behind
    os._exit(0)


if __name__ == "__main__":
    main()
