# A JupyterHub that starts servers on two remote systems, each behind its own Outpost.
#
# Users pick a system (and one of the flavors its Outpost offers them) in the spawn form; the
# plugin derives every per-system setting (Outpost URL and credentials, ssh tunnel) from
# c.OutpostSpawner.systems. Secrets stay out of this file: each Outpost password comes from a file
# or an environment variable, and the ssh keys are files. A mistake here (a missing password
# file, an unknown key) stops the hub at start-up with a message naming the key.
#
# Environment read below (all optional except the secrets they point at):
#   OUTPOST_SECRETS_DIR      folder with the secrets (default /etc/jupyterhub/outpost):
#                              hpc-password     this hub's password at the HPC Outpost
#                              ssh-hpc          private key of the HPC tunnel account
#                              ssh-cloud        private key of the cloud tunnel account
#   OUTPOST_CLOUD_PASSWORD   this hub's password at the cloud Outpost
#   OUTPOST_HPC_URL / OUTPOST_CLOUD_URL   the Outposts (defaults below)
#   HUB_PUBLIC_API_URL       the hub API as the remote servers reach it
import os

c = get_config()  # noqa: F821 (provided by JupyterHub)
secrets = os.environ.get("OUTPOST_SECRETS_DIR", "/etc/jupyterhub/outpost")

c.JupyterHub.spawner_class = "outpostspawner"
c.JupyterHub.allow_named_servers = True

# Remote servers call back into the hub (progress events, activity) at this address.
c.OutpostSpawner.public_api_url = os.environ.get("HUB_PUBLIC_API_URL", "https://jupyter.example.org/hub/api")

c.OutpostSpawner.systems = {
    "hpc": {
        "display_name": "HPC cluster",
        "description": "Batch nodes of the campus cluster; servers run as Slurm jobs.",
        "url": os.environ.get("OUTPOST_HPC_URL", "https://outpost.hpc.example.org"),
        "username": "jupyter-central",                  # this hub's name at that Outpost
        "password_file": f"{secrets}/hpc-password",
        "ssh_node": "tunnel.hpc.example.org",           # the Outpost's sshd (forward-only account)
        "ssh_port": 2222,
        "ssh_username": "jhuboutpost",
        "ssh_key": f"{secrets}/ssh-hpc",
        "request_kwargs": {"request_timeout": 60},      # batch starts answer slowly
    },
    "cloud": {
        "display_name": "Cloud (Kubernetes)",
        "description": "Pods on the cloud cluster; quick to start, smaller machines.",
        "url": os.environ.get("OUTPOST_CLOUD_URL", "http://outpost.cloud.svc:8080"),
        "username": "jupyter-central",
        "password_env": "OUTPOST_CLOUD_PASSWORD",
        "ssh_node": "outpost-ssh.cloud.example.org",
        "ssh_port": 22,
        "ssh_username": "jhuboutpost",
        "ssh_key": f"{secrets}/ssh-cloud",
    },
}

# The spawn form reuses each Outpost's flavor list for 30 s (the Outposts also push their usage
# to /hub/api/outpostflavors/<system> whenever it changes, which refreshes it at once).
c.OutpostSpawner.flavors_cache_seconds = 30

# The Outposts push flavor usage with a hub API token that holds this scope (configure that token
# at each Outpost, Outpost:Hubs:<name>:FlavorsUpdateToken); admins read /hub/api/outpost/systems.
c.JupyterHub.custom_scopes = {
    "custom:outpostflavors:set": {"description": "Outposts report their flavor usage"},
}
flavors_token = os.environ.get("OUTPOST_FLAVORS_TOKEN")
if flavors_token:
    c.JupyterHub.services = [{"name": "outposts", "api_token": flavors_token}]
    c.JupyterHub.load_roles = [
        {"name": "outposts", "services": ["outposts"], "scopes": ["custom:outpostflavors:set"]},
    ]
