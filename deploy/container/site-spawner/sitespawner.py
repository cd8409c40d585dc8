from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode


class SiteSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that tells each server which site runs it."""

    site_name = Unicode("", config=True, help="Given to each server as OUTPOST_SITE.")

    def get_env(self):
        env = super().get_env()
        env["OUTPOST_SITE"] = self.site_name
        return env
