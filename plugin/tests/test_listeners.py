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


def test_netlink_and_the_text_tables_see_the_same_listeners():
    from outpostspawner.listeners import _TABLES, read_netlink

    sockets = []
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::1")):
        s = socket.socket(family)
        s.bind((address, 0))
        s.listen()
        sockets.append(s)
    connected = socket.create_connection(("127.0.0.1", sockets[0].getsockname()[1]))  # not a listener
    try:
        from_tables = set().union(*(parse(t.read_text()) for t in _TABLES))
        from_netlink = read_netlink()
        ours = {("127.0.0.1", sockets[0].getsockname()[1]), ("0.0.0.0", sockets[1].getsockname()[1]),
                ("::1", sockets[2].getsockname()[1])}
        assert ours <= from_netlink and ours <= from_tables
        assert ("127.0.0.1", connected.getsockname()[1]) not in from_netlink
    finally:
        connected.close()
        for s in sockets:
            s.close()


def test_without_netlink_the_text_tables_answer():
    listeners = Listeners(ttl=0, netlink=False)
    listeners.sweeping = True
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    try:
        assert listeners.listening("127.0.0.1", s.getsockname()[1])
    finally:
        s.close()
