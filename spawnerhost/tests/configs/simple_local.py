import os

from jupyterhub.spawner import SimpleLocalProcessSpawner

c.JupyterHubOutpost.spawner_class = SimpleLocalProcessSpawner
c.JupyterHubOutpost.allow_override = True

c.SimpleLocalProcessSpawner.ip = "127.0.0.1"
c.SimpleLocalProcessSpawner.args = ["--allow-root"]
c.SimpleLocalProcessSpawner.home_dir_template = os.environ["SPAWNERHOST_TEST_DIR"] + "/home-{username}"
# a parent class's section does not apply (as in the original): this port is ignored
c.LocalProcessSpawner.port = 1
