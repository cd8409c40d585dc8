"""ssh argument lists, ControlMaster sequence, setuptunnel input validation."""
import asyncio
import socket

import pytest

from outpostspawner.ssh import (
    MasterChecks,
    RemoteForwarder,
    SshEndpoint,
    SshForwarder,
    SshRunner,
    TunnelInputError,
    base_argv,
    default_forward_options,
    local_forward_spec,
    validate_tunnel_api_body,
)

KEYS = ["/etc/outpost/keys/node1"]


def endpoint(**kw):
    args = dict(node="127.0.0.1", port=2222, user="tunnel", key="/k/id")
    args.update(kw)
    return SshEndpoint(options=default_forward_options(args["node"], args["port"], args["user"],
                                                       args["key"]), **args)


def test_default_forward_argv_is_a_list_in_order():
    ep = endpoint()
    argv = base_argv("ssh", ep, ["-f", "-N", "-n"])
    assert argv == [
        "ssh", "-f", "-N", "-n",
        "-o", "ServerAliveInterval=15", "-o", "StrictHostKeyChecking=accept-new",
        "-o", "ControlMaster=auto", "-o", "ControlPersist=yes", "-o", "Port=2222",
        "-o", "ControlPath=/tmp/control_tunnel@127.0.0.1:2222", "-o", "BatchMode=yes",
        "-o", "ConnectTimeout=10", "-o", "IdentityFile=/k/id",
    ]


def test_forward_spec():
    assert local_forward_spec("127.0.0.1", 19001, "10.0.0.5", 8888) == "127.0.0.1:19001:10.0.0.5:8888"
    assert local_forward_spec("0.0.0.0", 1, "::1", 2) == "0.0.0.0:1:[::1]:2"
    with pytest.raises(TunnelInputError):
        local_forward_spec("127.0.0.1", 1, "-oProxyCommand=x", 2)


@pytest.mark.parametrize("opts", [
    {"ProxyCommand": "nc evil 22"}, {"LocalCommand": "id"}, {"permitlocalcommand": "yes"},
    {"Bad Key": "x"}, {"ServerAliveInterval": "1\nProxyCommand x"},
])
def test_dangerous_config_options_refused(opts):
    with pytest.raises(TunnelInputError):
        SshEndpoint("127.0.0.1", 22, "u", None, opts)


@pytest.mark.parametrize("node", ["-oProxyCommand=x", "a b", "host;id", "", "x" * 300])
def test_bad_hosts_refused(node):
    with pytest.raises(TunnelInputError):
        SshEndpoint(node, 22, "u", None, {})


async def test_forward_with_a_running_master_is_one_ssh_run(ssh_runner):
    await SshForwarder(ssh_runner).forward(endpoint(), "127.0.0.1:19001:127.0.0.1:8888")
    assert ssh_runner.ops() == ["-O forward"]
    assert ssh_runner.calls[0][-4:] == ["forward", "-L", "127.0.0.1:19001:127.0.0.1:8888", "tunnel@127.0.0.1"]


async def test_forward_sequence_starts_master_when_missing(ssh_runner):
    ssh_runner.rc_for["-O forward"] = [255, 0]
    ssh_runner.rc_for["-O check"] = [255, 0]
    ep = endpoint()
    await SshForwarder(ssh_runner).forward(ep, "127.0.0.1:19001:127.0.0.1:8888")
    assert ssh_runner.ops() == ["-O forward", "-O check", "connect", "-O check", "-O forward"]
    connect = ssh_runner.calls[2]
    assert connect[:4] == ["ssh", "-f", "-N", "-n"] and connect[-1] == "tunnel@127.0.0.1"
    fwd = ssh_runner.calls[4]
    assert fwd[-4:] == ["forward", "-L", "127.0.0.1:19001:127.0.0.1:8888", "tunnel@127.0.0.1"]


async def test_forward_retries_after_cancel(ssh_runner):
    ssh_runner.rc_for["-O forward"] = [255, 0]
    await SshForwarder(ssh_runner).forward(endpoint(), "127.0.0.1:1:127.0.0.1:2")
    assert ssh_runner.ops() == ["-O forward", "-O check", "-O cancel", "-O forward"]


async def test_forward_cancels_and_retries_after_starting_the_master(ssh_runner):
    ssh_runner.rc_for["-O forward"] = [255, 255, 0]
    ssh_runner.rc_for["-O check"] = [255, 0]
    await SshForwarder(ssh_runner).forward(endpoint(), "127.0.0.1:1:127.0.0.1:2")
    assert ssh_runner.ops() == ["-O forward", "-O check", "connect", "-O check", "-O forward", "-O cancel",
                                "-O forward"]


async def test_forward_fails_when_it_keeps_failing(ssh_runner):
    ssh_runner.rc_for["-O forward"] = [255, 255]
    with pytest.raises(Exception, match="ssh forward 127.0.0.1:1:127.0.0.1:2 failed"):
        await SshForwarder(ssh_runner).forward(endpoint(), "127.0.0.1:1:127.0.0.1:2")


async def test_forward_fails_when_master_cannot_start(ssh_runner):
    ssh_runner.rc_for["-O forward"] = [255]
    ssh_runner.rc_for["-O check"] = [255, 255]
    with pytest.raises(Exception, match="could not open an ssh connection"):
        await SshForwarder(ssh_runner).forward(endpoint(), "127.0.0.1:1:127.0.0.1:2")
    assert ssh_runner.ops() == ["-O forward", "-O check", "connect", "-O check"]


async def test_remote_forward_exit_codes(ssh_runner):
    ep = SshEndpoint("10.1.2.3", 22, "jhuboutpost", "/k/r", {"Port": "22"})
    ssh_runner.rc_for["start"] = [217]
    await RemoteForwarder(ssh_runner).start(ep)
    assert ssh_runner.calls[0][:2] == ["ssh", "-n"] and ssh_runner.calls[0][-2:] == ["jhuboutpost@10.1.2.3", "start"]
    ssh_runner.rc_for["start"] = [0]
    with pytest.raises(Exception, match="expected 217"):
        await RemoteForwarder(ssh_runner).start(ep)
    ssh_runner.rc_for["start"] = [-1]
    ssh_runner.rc_for["status"] = [217]
    await RemoteForwarder(ssh_runner).start(ep)


async def test_real_runner_uses_exec_without_shell(tmp_path):
    marker = tmp_path / "pwned"
    rc, out, _ = await SshRunner().run(["/bin/echo", f"$(touch {marker}); `id`"])
    assert rc == 0 and out.strip() == f"$(touch {marker}); `id`"
    assert not marker.exists()
    rc, _, err = await SshRunner().run(["/bin/sleep", "5"], timeout=0.2)
    assert rc == -1 and "timed out" in err


# ---------------------------------------------------------------- setuptunnel body
def test_tunnel_body_accepts_allowed_fields():
    body = {"service": "10.0.0.7:8888", "ssh_node": "node1.example.org", "ssh_port": "2222",
            "ssh_username": "tunnel", "ssh_key": KEYS[0],
            "remote": {"ssh_node": "10.0.0.1", "ssh_port": 22}}
    clean = validate_tunnel_api_body(body, KEYS)
    assert clean == {"service": "10.0.0.7:8888", "ssh_node": "node1.example.org", "ssh_port": 2222,
                     "ssh_username": "tunnel", "ssh_key": KEYS[0],
                     "remote": {"ssh_node": "10.0.0.1", "ssh_port": 22}}


@pytest.mark.parametrize("body,field", [
    ({"service": "h:1", "ssh_forward_options": {"ProxyCommand": "sh -c id"}}, "ssh_forward_options"),
    ({"service": "h:1", "ProxyCommand": "x"}, "ProxyCommand"),
    ({"service": "h:1", "ssh_node": "-oProxyCommand=touch /tmp/x"}, "ssh_node"),
    ({"service": "h:1", "ssh_node": "host; rm -rf /"}, "ssh_node"),
    ({"service": "h:1", "ssh_port": "22 -oProxyCommand=x"}, "ssh_port"),
    ({"service": "h:1", "ssh_port": 70000}, "ssh_port"),
    ({"service": "h:1", "ssh_port": True}, "ssh_port"),
    ({"service": "h:1", "ssh_username": "Root"}, "ssh_username"),
    ({"service": "h:1", "ssh_username": "-oProxyCommand=x"}, "ssh_username"),
    ({"service": "h:1", "ssh_key": "/etc/shadow"}, "ssh_key"),
    ({"service": "h:1", "ssh_key": "relative/key"}, "ssh_key"),
    ({"service": "$(id):1"}, "service"),
    ({"service": "h:99999"}, "service"),
    ({"ssh_node": "h"}, "service"),
    ({"service": "h:1", "remote": {"ssh_forward_options": {"LocalCommand": "id"}}},
     "remote.ssh_forward_options"),
    ({"service": "h:1", "remote": "x"}, "remote"),
    ({}, "body"),
    ([], "body"),
])
def test_tunnel_body_refused_with_field_name(body, field):
    with pytest.raises(TunnelInputError) as info:
        validate_tunnel_api_body(body, KEYS)
    assert info.value.field == field
    assert str(info.value).startswith(field)


class CountingRunner(SshRunner):
    """A real runner's master-check sharing, with scripted ``-O check`` answers instead of ssh."""

    def __init__(self, answers, clock):
        super().__init__("ssh")
        self.master_checks = MasterChecks(ttl=1.0, clock=clock)
        self.answers = list(answers)
        self.calls = []
        self.release = asyncio.Event()

    async def run(self, argv, timeout=10, capture=True):
        self.calls.append(list(argv))
        if "check" in argv:
            await self.release.wait()
            return self.answers.pop(0), "", ""
        return 0, "", ""


async def test_overlapping_checks_of_one_master_run_one_ssh():
    now = [100.0]
    runner = CountingRunner([0], lambda: now[0])
    checks = [asyncio.ensure_future(SshForwarder(runner).check(endpoint())) for _ in range(50)]
    await asyncio.sleep(0)
    runner.release.set()
    assert await asyncio.gather(*checks) == [True] * 50
    assert len(runner.calls) == 1


async def test_a_yes_holds_for_the_ttl_and_a_no_is_never_kept():
    now = [100.0]
    runner = CountingRunner([0, 255, 255, 0], lambda: now[0])
    runner.release.set()
    fw = SshForwarder(runner)
    assert await fw.check(endpoint()) is True
    now[0] += 0.5
    assert await fw.check(endpoint()) is True  # within the TTL: no ssh run
    assert len(runner.calls) == 1
    now[0] += 0.6
    assert await fw.check(endpoint()) is False  # TTL over: asked again, the master is gone
    assert await fw.check(endpoint()) is False  # a "no" is asked again every time
    assert await fw.check(endpoint()) is True
    assert len(runner.calls) == 4


async def test_another_master_is_checked_on_its_own():
    now = [100.0]
    runner = CountingRunner([0, 0], lambda: now[0])
    runner.release.set()
    fw = SshForwarder(runner)
    assert await fw.check(endpoint()) is True
    assert await fw.check(endpoint(port=2223)) is True
    assert len(runner.calls) == 2


async def test_a_failed_forward_forgets_the_yes_and_reopens_the_master():
    now = [100.0]

    class Runner(CountingRunner):
        async def run(self, argv, timeout=10, capture=True):
            self.calls.append(list(argv))
            if "check" in argv:
                return self.answers.pop(0), "", ""
            if "forward" in argv:
                return (255 if sum("forward" in c for c in self.calls) == 1 else 0), "", ""
            return 0, "", ""  # the master start (-f -N)

    runner = Runner([0, 255, 0], lambda: now[0])
    fw = SshForwarder(runner)
    assert await fw.check(endpoint()) is True  # a "yes" is kept ...
    await fw.forward(endpoint(), "127.0.0.1:19001:127.0.0.1:8888")
    # ... but the failed forward asked the master again, found it gone and started it
    kinds = [next((w for w in ("check", "forward") if w in c), "start") for c in runner.calls]
    assert kinds == ["check", "forward", "check", "start", "check", "forward"]


async def test_many_forwards_finding_the_master_gone_open_it_once():
    now = [100.0]

    class Runner(CountingRunner):
        master_up = False

        async def run(self, argv, timeout=10, capture=True):
            self.calls.append(list(argv))
            await asyncio.sleep(0)  # let the other forwards interleave
            if "-N" in argv:
                Runner.master_up = True
                return 0, "", ""
            return (0 if Runner.master_up else 255), "", ""

    runner = Runner([], lambda: now[0])
    fw = SshForwarder(runner)
    await asyncio.gather(*[fw.forward(endpoint(), f"127.0.0.1:{19000 + i}:127.0.0.1:8888") for i in range(30)])
    assert sum("-N" in c for c in runner.calls) == 1


def test_hub_ports_are_never_handed_out_twice():
    from outpostspawner.ports import HubPorts

    class Sp:
        pass

    picks = iter([5000, 5000, 5000, 5001, 5000])
    ports = HubPorts(pick=lambda: next(picks))
    a, b, c = Sp(), Sp(), Sp()
    assert ports.reserve(a) == 5000
    assert ports.reserve(b) == 5001  # 5000 is held by a: picked again
    ports.release(a)
    assert ports.reserve(c) == 5000  # let go, so free to hand out again
    ports.hold(a, 6000)
    assert ports.in_use() == {5000, 5001, 6000}


def test_hub_ports_come_from_below_the_ephemeral_range_and_are_free():
    from outpostspawner.ports import LOWEST_PORT, bindable, ephemeral_range, pick_port

    tries = iter([20000, 20001, 20002])
    taken = {20000, 20001}
    assert pick_port(lambda: (32768, 60999), lambda p: p not in taken, lambda a, b: next(tries)) == 20002
    low, _ = ephemeral_range()
    assert low > LOWEST_PORT + 1000  # this machine's range leaves room below it
    for _ in range(20):
        assert LOWEST_PORT <= pick_port() < low
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        assert not bindable(held.getsockname()[1])


def test_hub_ports_fall_back_to_the_kernel_without_room_below_the_ephemeral_range():
    from outpostspawner.ports import pick_port

    port = pick_port(lambda: (1024, 65000), lambda p: True, lambda a, b: 1 / 0)
    assert 1024 <= port <= 65535
