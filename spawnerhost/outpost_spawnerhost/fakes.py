"""The user and hub objects a spawner expects, built from the request.

A spawner normally runs inside JupyterHub and reads ``spawner.user`` and
``spawner.hub``. Here they are small stand-ins filled from the request's env,
in the shape the original Outpost gives them.
"""

from jupyterhub.utils import url_escape_path


class FakeUser:
    url = ""

    def __init__(self, env, auth_state=None):
        self.name = env.get("JUPYTERHUB_USER", "")
        try:
            self.id = int(env.get("JUPYTERHUB_USER_ID", "-1"))
        except ValueError:
            self.id = -1
        self.auth_state = dict(auth_state or {})

    @property
    def escaped_name(self):
        return url_escape_path(self.name)

    async def get_auth_state(self):
        return self.auth_state

    async def save_auth_state(self, auth_state):
        self.auth_state.update(auth_state or {})

    async def stop(self, *args, **kwargs):
        """A spawner may ask its user to stop; there is no hub user to stop here."""


class FakeHub:
    def __init__(self, env):
        self.api_url = env.get("JUPYTERHUB_API_URL", "")
        self.base_url = env.get("JUPYTERHUB_BASE_URL", "")
        self.public_host = env.get("JUPYTERHUB_HOST", "")
