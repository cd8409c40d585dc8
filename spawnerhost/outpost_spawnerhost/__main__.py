"""Entry point: ``python3 -m outpost_spawnerhost --config FILE``."""

import argparse
import asyncio
import logging
import os
import sys

from .protocol import Channel
from .protocol import take_stdio


def main(argv=None):
    parser = argparse.ArgumentParser(prog="outpost_spawnerhost", description=__doc__)
    parser.add_argument("--config", required=True, help="the Outpost config file (c.JupyterHubOutpost.* ...)")
    parser.add_argument("--log-level", default=os.environ.get("OUTPOST_SPAWNERHOST_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)

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
