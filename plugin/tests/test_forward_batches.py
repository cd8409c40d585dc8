"""Many forwards through one ControlMaster in one ``ssh -O forward`` (outpostspawner.forward_batches)."""
import asyncio

from outpostspawner.forward_batches import ForwardBatches
from outpostspawner.ssh import MasterChecks, SshEndpoint, SshError, SshForwarder, SshRunner, default_forward_options


def endpoint(port=2222):
    return SshEndpoint("127.0.0.1", port, "tunnel", "/k/id",
                       default_forward_options("127.0.0.1", port, "tunnel", "/k/id"))


def spec(port: int, target: int = 8888) -> str:
    return f"127.0.0.1:{port}:127.0.0.1:{target}"


class MasterRunner(SshRunner):
    """A ControlMaster as OpenSSH's mux client sees it, instead of ssh: ``-O forward`` asks for each ``-L`` in
    turn, goes on after one is refused and exits 255 if any was; an identical forward is a duplicate and
    answers "done"; a listen port already forwarded elsewhere or in ``busy`` is refused; every command
    exits 255 while the master is down. ``die_after`` forwards, the master dies in the middle of a run."""

    def __init__(self, up: bool = True, busy=(), can_open: bool = True):
        super().__init__("ssh")
        self.master_checks = MasterChecks(ttl=1.0)
        self.up, self.busy, self.can_open = up, set(busy), can_open
        self.forwards: dict[int, str] = {}  # listen port -> spec
        self.calls: list[list[str]] = []
        self.opened = 0
        self.die_after: int | None = None
        self.gate: asyncio.Event | None = None  # when set: every run waits for it
        self.running = asyncio.Event()

    async def run(self, argv, timeout=10, capture=True):
        assert isinstance(argv, list) and all(isinstance(a, str) for a in argv)
        self.calls.append(list(argv))
        self.running.set()
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(0)
        if "-N" in argv:
            if self.can_open:
                self.up, self.opened = True, self.opened + 1
            return 0, "", ""
        if not self.up:
            return 255, "", "Control socket connect(...): No such file or directory"
        op = argv[argv.index("-O") + 1]
        specs = [argv[i + 1] for i, a in enumerate(argv) if a == "-L"]
        if op == "check":
            return 0, "", ""
        if op == "cancel":
            missing = 0
            for s in specs:
                if self.forwards.get(int(s.split(":")[1])) == s:
                    del self.forwards[int(s.split(":")[1])]
                else:
                    missing += 1
            return (255, "", "mux_client_forward: forwarding request failed\n" * missing) if missing else (0, "", "")
        refused = 0
        for s in specs:
            if self.die_after is not None and len(self.forwards) >= self.die_after:
                self.up, self.forwards, self.die_after = False, {}, None
                return 255, "", "mux_client_read_packet: read header failed: Broken pipe"
            port = int(s.split(":")[1])
            if port in self.busy or self.forwards.get(port, s) != s:
                refused += 1
            else:
                self.forwards[port] = s
        err = "mux_client_forward: forwarding request failed: Port forwarding failed\n" * refused
        return (255, "", err + "muxclient: master forward request failed") if refused else (0, "", "")

    def forward_runs(self) -> list[list[str]]:
        return [[a for i, a in enumerate(c) if i > 0 and c[i - 1] == "-L"] for c in self.calls
                if "forward" in c]


async def forward_all(runner, specs, ep=None):
    fw = SshForwarder(runner)
    return await asyncio.gather(*(fw.forward(ep or endpoint(), s) for s in specs), return_exceptions=True)


def test_the_fake_master_refuses_like_openssh():
    async def go():
        runner = MasterRunner(busy={5001})
        rc, _, err = await runner.run(["ssh", "-O", "forward", "-L", spec(5000), "-L", spec(5001), "-L", spec(5002),
                                       "tunnel@127.0.0.1"])
        assert rc == 255 and err.count("Port forwarding failed") == 1
        assert set(runner.forwards) == {5000, 5002}  # it went on after the refused one
        rc, _, _ = await runner.run(["ssh", "-O", "forward", "-L", spec(5000), "tunnel@127.0.0.1"])
        assert rc == 0  # a duplicate
        rc, _, _ = await runner.run(["ssh", "-O", "forward", "-L", spec(5000, 9999), "tunnel@127.0.0.1"])
        assert rc == 255  # the port is forwarded elsewhere
    asyncio.run(go())


async def test_forwards_asked_together_go_out_in_one_ssh_run():
    runner = MasterRunner()
    specs = [spec(5000 + i) for i in range(50)]
    assert await forward_all(runner, specs) == [None] * 50
    assert runner.forward_runs() == [specs]  # one run, every -L in the order asked
    run = runner.calls[0]
    assert run[-1] == "tunnel@127.0.0.1" and run[run.index("-O") + 1] == "forward"
    assert set(runner.forwards) == set(range(5000, 5050))


async def test_a_lone_forward_is_one_ssh_run_as_before():
    runner = MasterRunner()
    await SshForwarder(runner).forward(endpoint(), spec(5000))
    assert runner.calls == [[*runner.calls[0][:-5], "-O", "forward", "-L", spec(5000), "tunnel@127.0.0.1"]]


async def test_forwards_asked_while_a_batch_runs_go_in_the_next_one():
    runner = MasterRunner()
    runner.gate = asyncio.Event()
    fw = SshForwarder(runner)
    first = asyncio.ensure_future(fw.forward(endpoint(), spec(5000)))
    await asyncio.wait_for(runner.running.wait(), 5)
    later = [asyncio.ensure_future(fw.forward(endpoint(), spec(5001 + i))) for i in range(20)]
    await asyncio.sleep(0)
    assert runner.forward_batches.queued(SshForwarder(runner)._master_key(endpoint())) == 20
    runner.gate.set()
    await asyncio.wait_for(asyncio.gather(first, *later), 5)
    assert runner.forward_runs() == [[spec(5000)], [spec(5001 + i) for i in range(20)]]


async def test_each_master_gets_its_own_batch():
    runner = MasterRunner()
    fw = SshForwarder(runner)
    await asyncio.gather(*(fw.forward(endpoint(2222 + i % 2), spec(5000 + i)) for i in range(10)))
    runs = runner.forward_runs()
    assert sorted(map(len, runs)) == [5, 5]
    assert {r[0] for r in runs} == {spec(5000), spec(5001)}


async def test_a_refused_forward_gets_its_own_error_and_the_others_are_made():
    runner = MasterRunner(busy={5013})
    specs = [spec(5000 + i) for i in range(32)]
    results = await forward_all(runner, specs)
    errors = {specs[i]: r for i, r in enumerate(results) if r is not None}
    assert list(errors) == [spec(5013)]
    assert isinstance(errors[spec(5013)], SshError) and spec(5013) in str(errors[spec(5013)])
    assert set(runner.forwards) == set(range(5000, 5032)) - {5013}
    # split in halves down to the refused one (about 2 log2(32) runs), not one ssh run per forward
    assert len(runner.forward_runs()) <= 14
    assert runner.opened == 0


async def test_two_refused_forwards_each_get_their_own_error():
    runner = MasterRunner(busy={5002, 5009})
    specs = [spec(5000 + i) for i in range(12)]
    results = await forward_all(runner, specs)
    failed = [specs[i] for i, r in enumerate(results) if r is not None]
    assert failed == [spec(5002), spec(5009)]
    assert all(s in str(results[specs.index(s)]) for s in failed)
    assert len(runner.forwards) == 10


async def test_a_gone_master_is_opened_once_and_the_whole_batch_asked_again():
    runner = MasterRunner(up=False)
    specs = [spec(5000 + i) for i in range(40)]
    assert await forward_all(runner, specs) == [None] * 40
    assert runner.opened == 1
    assert runner.forward_runs() == [specs, specs]  # failed (no master), then again through the new one
    assert len(runner.forwards) == 40


async def test_a_master_dying_in_the_middle_of_a_batch_is_opened_again():
    runner = MasterRunner()
    runner.die_after = 7  # 7 forwards made, then the master is gone (and with it those 7)
    specs = [spec(5000 + i) for i in range(30)]
    assert await forward_all(runner, specs) == [None] * 30
    assert runner.opened == 1
    assert set(runner.forwards) == set(range(5000, 5030))
    assert len(runner.forward_runs()) == 2


async def test_a_master_that_cannot_be_opened_fails_every_forward_with_that_reason():
    runner = MasterRunner(up=False, can_open=False)
    results = await forward_all(runner, [spec(5000 + i) for i in range(10)])
    assert all(isinstance(r, SshError) and "could not open an ssh connection" in str(r) for r in results)
    assert sum("-N" in c for c in runner.calls) == 1


async def test_a_cancelled_caller_leaves_the_others_alone():
    runner = MasterRunner()
    runner.gate = asyncio.Event()
    fw = SshForwarder(runner)
    first = asyncio.ensure_future(fw.forward(endpoint(), spec(5000)))
    await asyncio.wait_for(runner.running.wait(), 5)
    gone = asyncio.ensure_future(fw.forward(endpoint(), spec(5001)))
    kept = asyncio.ensure_future(fw.forward(endpoint(), spec(5002)))
    await asyncio.sleep(0)
    gone.cancel()
    runner.gate.set()
    await asyncio.wait_for(asyncio.gather(first, kept), 5)
    assert gone.cancelled()
    assert runner.forward_runs() == [[spec(5000)], [spec(5002)]]


async def test_batches_are_at_most_max_batch():
    batches = ForwardBatches(max_batch=4)
    seen = []

    async def settle(items):
        seen.append(list(items))
        return [None] * len(items)

    await asyncio.gather(*(batches.submit("m", ("-L", spec(5000 + i)), settle) for i in range(10)))
    assert [len(b) for b in seen] == [4, 4, 2]


async def test_an_error_settling_the_batch_reaches_every_caller():
    batches = ForwardBatches()

    async def settle(items):
        raise OSError("ssh: not found")

    results = await asyncio.gather(*(batches.submit("m", ("-L", spec(5000 + i)), settle) for i in range(3)),
                                   return_exceptions=True)
    assert all(isinstance(r, OSError) and "ssh: not found" in str(r) for r in results)
    # and the next request starts a fresh batch
    async def ok(items):
        return [None] * len(items)
    await asyncio.wait_for(batches.submit("m", ("-L", spec(5009)), ok), 5)



async def test_restored_servers_find_the_master_opened_while_the_outpost_answered(make_spawner, outpost):
    before = MasterRunner()
    spawners = []
    for i in range(5):
        sp = make_spawner(f"r{i}", ssh_during_startup=True, ssh_key="/k/id")
        sp.ssh_runner = before
        await sp.start()
        spawners.append(sp)
    # the hub restarts: its ssh master is gone, every server is restored from its state and polled at once
    after = MasterRunner(up=False)
    restored = []
    for sp in spawners:
        again = make_spawner(sp.name, ssh_key="/k/id", ssh_recreate_at_start=True, ssh_forward_check_interval=0)
        again.ssh_runner = after
        again.load_state(sp.get_state())
        restored.append(again)
    assert await asyncio.gather(*(sp.poll() for sp in restored)) == [None] * 5
    assert after.opened == 1
    # the master was opened while the Outpost answered the polls: one forward run, none that failed first
    runs = after.forward_runs()
    assert len(runs) == 1 and sorted(runs[0]) == sorted(sp.tunnels["local"]["spec"] for sp in restored)
    assert set(after.forwards) == {sp.port for sp in restored}


def cancel_runs(runner) -> list[list[str]]:
    return [[a for i, a in enumerate(c) if i > 0 and c[i - 1] == "-L"] for c in runner.calls if "cancel" in c]


async def test_cancels_asked_together_go_out_in_one_ssh_run():
    runner = MasterRunner()
    specs = [spec(5000 + i) for i in range(30)]
    await forward_all(runner, specs)
    fw = SshForwarder(runner)

    await asyncio.gather(*(fw.cancel_together(endpoint(), s) for s in specs))

    assert cancel_runs(runner) == [specs]
    assert runner.forwards == {}


async def test_a_failed_cancel_batch_cancels_each_on_its_own_while_the_master_answers():
    runner = MasterRunner()
    specs = [spec(5000 + i) for i in range(5)]
    await forward_all(runner, specs)
    fw = SshForwarder(runner)

    await asyncio.gather(*(fw.cancel_together(endpoint(), s) for s in [*specs, spec(6000)]))  # 6000 was never made

    assert cancel_runs(runner) == [[*specs, spec(6000)], *[[s] for s in [*specs, spec(6000)]]]
    assert runner.forwards == {}


async def test_cancels_through_a_master_that_is_gone_stop_after_one_run():
    runner = MasterRunner()
    specs = [spec(5000 + i) for i in range(5)]
    await forward_all(runner, specs)
    runner.up, runner.can_open = False, False  # the master died and took its forwards with it
    fw = SshForwarder(runner)

    await asyncio.gather(*(fw.cancel_together(endpoint(), s) for s in specs))

    assert cancel_runs(runner) == [specs]
