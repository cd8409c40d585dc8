# The shape of the original Outpost's documented config file, unchanged.
from jupyterhub.spawner import LocalProcessSpawner

c.JupyterHubOutpost.spawner_class = LocalProcessSpawner


async def allow_override(jupyterhub_credential, misc):
    # only the hub we trust may change the spawner's configuration
    return jupyterhub_credential == "trusted-hub"


c.JupyterHubOutpost.allow_override = allow_override


async def my_sanitize_start_response(spawner, start_response):
    return f"{start_response[0]}:{start_response[1]}"


c.JupyterHubOutpost.sanitize_start_response = my_sanitize_start_response

c.LocalProcessSpawner.ip = "127.0.0.1"
c.LocalProcessSpawner.args = ["--allow-root"]
c.LocalProcessSpawner.interrupt_timeout = 3
c.LocalProcessSpawner.term_timeout = 5
