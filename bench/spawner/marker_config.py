# The spawner host's config for P11 (scripts/bench --only P11): servers that outlive an Outpost restart.
from benchspawners import MarkerSpawner

c.JupyterHubOutpost.spawner_class = MarkerSpawner
