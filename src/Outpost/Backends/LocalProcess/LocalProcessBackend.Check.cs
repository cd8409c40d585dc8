using Outpost.Checks;

namespace Outpost.Backends.LocalProcess;

/// <summary><c>outpost check</c>: the server program is found, as a start would look it up, and may be executed.</summary>
public sealed partial class LocalProcessBackend : IBackendCheck
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public Task<IReadOnlyList<CheckLine>> CheckAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var subject = $"Backend {Name}";
        var command = settings.Command[0];
        var path = settings.Environment.TryGetValue("PATH", out var configured) ? configured : Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        const string fix = "install it, or set Outpost:Backends:Local:Command:0 to its full path";
        CheckLine line;
        try
        {
            var program = ResolveProgram(command, path);
            line = !File.Exists(program)
                ? CheckLine.Fail(subject, $"the server program {program} does not exist", fix)
                : (File.GetUnixFileMode(program) & AnyExecute) == 0
                    ? CheckLine.Fail(subject, $"the server program {program} is not executable", $"chmod +x {program}, or set Outpost:Backends:Local:Command:0 to another program")
                    : CheckLine.Ok(subject, $"runs {program} on {settings.Ip}");
        }
        catch (BackendException ex)
        {
            line = CheckLine.Fail(subject, ex.Message.TrimEnd('.'), fix);
        }
        return Task.FromResult<IReadOnlyList<CheckLine>>([line]);
    }
}
