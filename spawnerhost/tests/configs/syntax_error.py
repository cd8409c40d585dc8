from jupyterhub.spawner import LocalProcessSpawner

c.JupyterHubOutpost.spawner_class = LocalProcessSpawner
c.LocalProcessSpawner.ip = "127.0.0.1"
c.LocalProcessSpawner.port = (
