using Outpost.Operations;
using Outpost.Tests.Fakes;
using Outpost.Tunnels;

namespace Outpost.Tests.Tunnels;

public sealed class TunnelManagerTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeSshForwarding _ssh = new();
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingLogger<TunnelManager> _log = new();
    private readonly TunnelStateFile _state;
    private readonly TunnelManager _manager;

    public TunnelManagerTests()
    {
        _state = new TunnelStateFile(_directory.File("tunnels.json"));
        _manager = new TunnelManager(_ssh, _state, _log, _time);
    }

    public void Dispose() => _directory.Dispose();

    private static TunnelSpec Spec(string id, int port, string node = "node1", string alive = "20") => TunnelSpecValidator.Validate(id, new TunnelRequest
    {
        LocalPort = port, RemoteHost = "10.1.2.3", RemotePort = 8888, SshNode = node, SshUser = "tunnel",
        SshKey = "/k/id", SshOptions = new() { ["ServerAliveInterval"] = alive },
    });

    private int Logged(int eventId) => _log.Entries.Count(e => e.EventId == eventId);

    [Fact]
    public async Task Recovery_skips_a_bad_entry_with_a_log_line_and_brings_back_the_others()
    {
        File.WriteAllText(_state.Path, """
            {
              "good": {"localPort":41001,"remoteHost":"10.1.2.3","remotePort":8888,"sshNode":"node1","sshUser":"tunnel"},
              "hostile": {"localPort":41002,"remoteHost":"10.1.2.3","remotePort":8888,"sshNode":"node1","sshUser":"tunnel","sshOptions":{"ProxyCommand":"id"}},
              "wrong-type": {"localPort":"41003; id","remoteHost":"10.1.2.3","remotePort":8888,"sshNode":"node1","sshUser":"tunnel"},
              "also-good": {"localPort":41004,"remoteHost":"10.1.2.4","remotePort":8888,"sshNode":"node2","sshUser":"tunnel"}
            }
            """);

        await _manager.RecoverAsync(CancellationToken.None);

        Assert.Equal(["also-good", "good"], _manager.List().Where(s => s.Healthy).Select(s => s.ServerId));
        var skipped = _log.Entries.Where(e => e.EventId == LogEvents.TunnelStateEntrySkipped).Select(e => e.Message).ToList();
        Assert.Equal(2, skipped.Count);
        Assert.Contains(skipped, m => m.Contains("hostile") && m.Contains("sshOptions"));
        Assert.Contains(skipped, m => m.Contains("wrong-type") && m.Contains("localPort"));
        Assert.Contains(_log.Entries, e => e.EventId == LogEvents.TunnelsRecovered && e.Message.Contains("2 up, 2 skipped"));
    }

    [Fact]
    public async Task An_unreadable_state_file_is_moved_aside_and_the_service_starts_empty()
    {
        File.WriteAllText(_state.Path, "{ not json");

        await _manager.RecoverAsync(CancellationToken.None);

        Assert.Empty(_manager.List());
        Assert.Equal(1, Logged(LogEvents.TunnelStateUnreadable));
        Assert.False(File.Exists(_state.Path));
        Assert.Single(Directory.GetFiles(_directory.Path, "tunnels.json.unreadable-*"));
    }

    [Fact]
    public async Task A_failed_create_is_kept_saved_and_healed_after_its_backoff()
    {
        _ssh.RefusingNodes["node1"] = true;

        var error = await Assert.ThrowsAsync<TunnelSshException>(() => _manager.CreateAsync(Spec("a", 41001), CancellationToken.None));
        Assert.Contains("retries", error.Message);
        var status = Assert.Single(_manager.List());
        Assert.False(status.Healthy);
        Assert.Equal(1, status.Failures);
        Assert.Equal("a", Assert.Single(_state.Load().Specs).ServerId);
        Assert.Equal(1, Logged(LogEvents.TunnelCreateFailed));

        // The node is back, but the backoff (2 s after the first failure) has not passed: no attempt yet.
        _ssh.RefusingNodes.Clear();
        await _manager.HealAsync(CancellationToken.None);
        Assert.Equal(1, _ssh.Count("forward", "a"));
        Assert.False(_manager.List()[0].Healthy);

        _time.Advance(TimeSpan.FromSeconds(2));
        await _manager.HealAsync(CancellationToken.None);
        Assert.True(_manager.List()[0].Healthy);
        Assert.True(_ssh.Works("a"));
        Assert.Equal(1, Logged(LogEvents.TunnelRestored));
    }

    [Fact]
    public async Task The_same_forward_asked_for_again_is_left_untouched()
    {
        await _manager.CreateAsync(Spec("a", 41001), CancellationToken.None);
        // A restarted hub sends an equal request, built anew (another options dictionary).
        var again = await _manager.CreateAsync(Spec("a", 41001), CancellationToken.None);

        Assert.True(again.Healthy);
        Assert.Equal(1, _ssh.Count("forward", "a"));
        Assert.Equal(0, _ssh.Count("cancel", "a"));
        Assert.Equal(1, Logged(LogEvents.TunnelCreated));
    }

    [Fact]
    public async Task The_same_forward_asked_for_again_while_down_is_recreated()
    {
        await _manager.CreateAsync(Spec("a", 41001), CancellationToken.None);
        _ssh.Break("a");

        var again = await _manager.CreateAsync(Spec("a", 41001), CancellationToken.None);

        Assert.True(again.Healthy);
        Assert.Equal(2, _ssh.Count("forward", "a"));
        Assert.Equal(0, _ssh.Count("cancel", "a"));
    }

    [Fact]
    public async Task A_changed_forward_replaces_the_old_one()
    {
        await _manager.CreateAsync(Spec("a", 41001), CancellationToken.None);
        await _manager.CreateAsync(Spec("a", 41001, alive: "30"), CancellationToken.None);

        Assert.Equal(1, _ssh.Count("cancel", "a"));
        Assert.Equal(2, _ssh.Count("forward", "a"));
        // The new forward uses the same master: it is not ended.
        Assert.Equal(0, _ssh.Count("exit", "a"));
        Assert.Equal("30", Assert.Single(_state.Load().Specs).SshOptions["ServerAliveInterval"]);
    }

    [Fact]
    public async Task A_port_in_use_by_another_forward_is_refused_naming_localPort()
    {
        await _manager.CreateAsync(Spec("a", 41001), CancellationToken.None);
        var wildcard = TunnelSpecValidator.Validate("b", new TunnelRequest
        {
            BindAddress = "0.0.0.0", LocalPort = 41001, RemoteHost = "10.1.2.3", RemotePort = 1, SshNode = "node2", SshUser = "tunnel",
        });

        var error = await Assert.ThrowsAsync<TunnelInputException>(() => _manager.CreateAsync(wildcard, CancellationToken.None));

        Assert.Equal("localPort", error.Field);
        Assert.Equal(0, _ssh.Count("forward", "b"));
    }

    [Fact]
    public async Task One_slow_node_does_not_hold_up_forwards_through_other_nodes()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ssh.HeldNodes["slow"] = held;

        var slow = _manager.CreateAsync(Spec("s", 41001, node: "slow"), CancellationToken.None);
        var fast = await _manager.CreateAsync(Spec("f", 41002, node: "fast"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var check = await _manager.CheckAsync("f", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var heal = _manager.HealAsync(CancellationToken.None);

        Assert.True(fast.Healthy);
        Assert.True(check!.Healthy);
        Assert.False(slow.IsCompleted);
        Assert.False(heal.IsCompleted);
        held.SetResult();
        Assert.True((await slow.WaitAsync(TimeSpan.FromSeconds(10))).Healthy);
        await heal.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_forward_that_died_is_logged_once_and_recreated_by_the_healing_pass()
    {
        await _manager.CreateAsync(Spec("a", 41001), CancellationToken.None);
        _ssh.Break("a");
        _ssh.RefusingNodes["node1"] = true;

        await _manager.HealAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2));
        await _manager.HealAsync(CancellationToken.None);
        Assert.False(_manager.List()[0].Healthy);
        Assert.Equal(2, _manager.List()[0].Failures);

        _ssh.RefusingNodes.Clear();
        _time.Advance(TimeSpan.FromSeconds(4));
        await _manager.HealAsync(CancellationToken.None);

        Assert.True(_manager.List()[0].Healthy);
        Assert.Equal(1, Logged(LogEvents.TunnelDown));
        Assert.Equal(1, Logged(LogEvents.TunnelRecreateFailed));
        Assert.Equal(1, Logged(LogEvents.TunnelRestored));
    }

    [Fact]
    public async Task Check_recreates_a_dead_forward_at_once_whatever_the_backoff()
    {
        await _manager.CreateAsync(Spec("a", 41001), CancellationToken.None);
        _ssh.Break("a");
        _ssh.RefusingNodes["node1"] = true;
        await _manager.HealAsync(CancellationToken.None);
        _ssh.RefusingNodes.Clear();

        var status = await _manager.CheckAsync("a", CancellationToken.None);

        Assert.True(status!.Healthy);
        Assert.Null(await _manager.CheckAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task Removing_the_last_forward_of_a_master_ends_the_master()
    {
        await _manager.CreateAsync(Spec("a", 41001), CancellationToken.None);
        await _manager.CreateAsync(Spec("b", 41002), CancellationToken.None);

        Assert.True(await _manager.RemoveAsync("a", CancellationToken.None));
        Assert.Equal(0, _ssh.Count("exit", "a"));
        Assert.True(await _manager.RemoveAsync("b", CancellationToken.None));
        Assert.Equal(1, _ssh.Count("exit", "b"));
        Assert.False(await _manager.RemoveAsync("b", CancellationToken.None));
        Assert.Empty(_state.Load().Specs);
    }
}
