"""The listening-socket table that spares the forward check a connection per forward."""
import socket

from outpostspawner.listeners import Listeners, parse

TABLE = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F91 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1
   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 100 0 0 10 0
"""


def test_only_listening_sockets_count():
    assert parse(TABLE) == {("127.0.0.1", 8080), ("0.0.0.0", 22)}


def test_a_real_listener_is_seen_and_its_end_after_the_ttl():
    now = [0.0]
    listeners = Listeners(ttl=1.0, clock=lambda: now[0])
    listeners.sweeping = True
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    assert listeners.listening("127.0.0.1", port)
    assert not listeners.listening("127.0.0.2", port)
    s.close()
    assert listeners.listening("127.0.0.1", port)  # the same reading within the TTL
    now[0] += 1.0
    assert not listeners.listening("127.0.0.1", port)


def test_a_wildcard_listener_serves_every_address():
    listeners = Listeners(ttl=0)
    s = socket.socket()
    s.bind(("0.0.0.0", 0))
    s.listen()
    try:
        assert not listeners.listening("127.0.0.1", s.getsockname()[1])  # outside a sweep: never from the table
        listeners.sweeping = True
        assert listeners.listening("127.0.0.1", s.getsockname()[1])
    finally:
        s.close()
