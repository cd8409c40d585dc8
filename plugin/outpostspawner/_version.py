__version__ = "0.1.0"

# Bumped whenever the shape of get_state() changes; load_state() reads older shapes.
STATE_VERSION = 1
