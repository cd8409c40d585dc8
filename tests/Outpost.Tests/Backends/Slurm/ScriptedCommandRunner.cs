using Outpost.Processes;

namespace Outpost.Tests.Backends.Slurm;

/// <summary>
/// A transcript of expected commands (the whole argument list, program first) with canned answers, played in
/// order. A command that is not the next expected one is recorded as a surprise and fails with an exception;
/// <see cref="AssertDone"/> then fails the test even if the code under test swallowed that exception.
/// </summary>
internal sealed class ScriptedCommandRunner : ICommandRunner
{
    private readonly Queue<Step> _steps = new();
    private readonly Lock _gate = new();

    /// <summary>Every command received, in order, with its environment and standard input.</summary>
    public List<CommandSpec> Received { get; } = [];

    /// <summary>Commands that did not match the transcript.</summary>
    public List<string> Surprises { get; } = [];

    public ScriptedCommandRunner Expect(
        IReadOnlyList<string> command, string stdout = "", string stderr = "", int exitCode = 0, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _steps.Enqueue(new Step(command, new CommandResult(exitCode, stdout, stderr), null));
        }
        return this;
    }

    public ScriptedCommandRunner ExpectThrow(IReadOnlyList<string> command, Exception exception)
    {
        _steps.Enqueue(new Step(command, null, exception));
        return this;
    }

    public Task<CommandResult> RunAsync(CommandSpec command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string[] argv = [command.FileName, .. command.Arguments];
        lock (_gate)
        {
            Received.Add(command);
            if (!_steps.TryPeek(out var step) || !step.Command.SequenceEqual(argv))
            {
                var expected = step is null ? "nothing" : Describe(step.Command);
                var surprise = $"unexpected command: {Describe(argv)} (expected {expected})";
                Surprises.Add(surprise);
                throw new InvalidOperationException(surprise);
            }
            _steps.Dequeue();
            return step.Exception is { } exception ? Task.FromException<CommandResult>(exception) : Task.FromResult(step.Result!);
        }
    }

    /// <summary>Fails unless every expected command ran and nothing unexpected did.</summary>
    public void AssertDone()
    {
        lock (_gate)
        {
            Assert.Empty(Surprises);
            Assert.True(_steps.Count == 0, $"commands not run: {string.Join("; ", _steps.Select(s => Describe(s.Command)))}");
        }
    }

    private static string Describe(IEnumerable<string> argv) => string.Join(' ', argv);

    private sealed record Step(IReadOnlyList<string> Command, CommandResult? Result, Exception? Exception);
}
