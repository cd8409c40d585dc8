# Picks the test spawner class from $TEST_SPAWNER (the tests start one host per class).
import os

import testspawners

c.JupyterHubOutpost.spawner_class = getattr(testspawners, os.environ.get("TEST_SPAWNER", "RecordingSpawner"))


async def sanitize(spawner, start_response):
    if os.environ.get("TEST_SANITIZE"):
        return f"{start_response[0]}--{start_response[1]}"
    return start_response


c.JupyterHubOutpost.sanitize_start_response = sanitize
c.RecordingSpawner.port = 4567
c.SlowSpawner.delay = 30.0
