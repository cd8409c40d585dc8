"""The forward of one server as its own object: create, check, remove (records kept in the state)."""
import socket

from outpostspawner.forward import ServerForward


async def test_create_check_remove(make_spawner, ssh_runner):
    sp = make_spawner("fw", ssh_key="/k/id", ssh_port=2222, ssh_username="tun")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    sp.port = listener.getsockname()[1]  # stands for the hub-side end ssh would open
    forward = ServerForward(sp)
    try:
        assert not forward.exists and not await forward.check()
        host_port = await forward.create({"service": "127.0.0.1:8888"})
        assert host_port == ("127.0.0.1", sp.port)
        assert sp.tunnels["local"]["spec"] == f"127.0.0.1:{sp.port}:127.0.0.1:8888"
        assert forward.exists
        assert await forward.check()  # master answers (-O check rc 0) and the port accepts
        ssh_runner.rc_for["-O check"] = [255]
        assert not await forward.check()  # the master is gone
    finally:
        listener.close()
    assert not await forward.check()  # nothing listens any more
    await forward.remove({})
    assert "local" not in sp.tunnels
    assert ssh_runner.ops()[-1] == "-O cancel"
    assert ssh_runner.calls[-1][-3:] == ["-L", f"127.0.0.1:{sp.port}:127.0.0.1:8888", "tun@127.0.0.1"]


async def test_a_custom_hook_owns_create_and_remove(make_spawner, ssh_runner):
    seen = []
    sp = make_spawner("fw2", ssh_custom_forward=lambda s, info: seen.append("create") or ("h", 1),
                      ssh_custom_forward_remove=lambda s, info: seen.append("remove"))
    forward = ServerForward(sp)
    assert forward.exists
    assert await forward.create({"service": "127.0.0.1:1"}) == ("h", 1)
    await forward.remove({})
    assert seen == ["create", "remove"] and ssh_runner.calls == []
