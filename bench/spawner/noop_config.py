# The spawner host's config for bench/spawner (the original Outpost's format).
from benchspawners import NoopSpawner

c.JupyterHubOutpost.spawner_class = NoopSpawner
