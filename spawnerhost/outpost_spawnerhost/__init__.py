"""Outpost spawner host: runs any JupyterHub Spawner class for the C# Outpost.

One long-lived asyncio process speaks newline-delimited JSON on stdin/stdout
(see README.md for the protocol) and keeps every live spawner in memory.
"""

PROTOCOL_VERSION = 1
