from sitespawner import SiteSpawner

c.JupyterHubOutpost.spawner_class = SiteSpawner
c.SiteSpawner.site_name = "example-site"
