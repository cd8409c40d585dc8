using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Outpost.Events;
using Outpost.Hosting;
using Outpost.Servers;

namespace Outpost.Backends.Slurm;

/// <summary>
/// Runs each server as a Slurm batch job. Start submits a rendered script and follows the job through the
/// queue until the server answers. Status, stop and logs work from the job id in the handle alone, so a
/// restarted Outpost adopts its jobs. A failed squeue never counts as "ended": only Slurm saying so does.
/// </summary>
public sealed partial class SlurmBackend(
    IOptions<SlurmBackendOptions> options,
    ICommandRunner runner,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<SlurmBackend> logger) : IBackend
{
    /// <summary>Name of the HTTP client used to see whether a server answers.</summary>
    public const string HttpClientName = "Outpost.Backends.Slurm";

    /// <summary>The hub's certificate paths: they name files on the hub; the job sets its own (<see cref="BatchScript.SslSetup"/>).</summary>
    private static readonly string[] HubSslPaths = [HubEnv.SslKeyFile, HubEnv.SslCertFile, HubEnv.SslClientCa];

    /// <summary>Prefixes of variables a hub may not set for a job: they would steer Slurm or the script.</summary>
    private static readonly string[] ReservedPrefixes = ["SLURM_", "SBATCH_", "SALLOC_", "SRUN_", "OUTPOST_"];

    private readonly SlurmBackendOptions _options = options.Value;
    private readonly SlurmCli _cli = new(options.Value);

    public string Name => BackendNames.Slurm;

    public string? Check(ServerKey key, ServerSpec spec)
    {
        try
        {
            CheckRequest(key, spec);
            return null;
        }
        catch (BackendException e)
        {
            return e.Message;
        }
    }

    public async Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        var spec = request.Spec;
        var (user, resources) = CheckRequest(request.Key, spec);
        var port = PickPort();
        var jobEnvironment = JobEnvironment(spec, port);
        var jobDirectory = _options.JobDirectory
            .Replace("{username}", user, StringComparison.Ordinal)
            .Replace("{workdir}", request.WorkDirectory, StringComparison.Ordinal);
        var outputPattern = Path.Combine(jobDirectory, $"{request.ResourceName}-%j.out");

        string script;
        try
        {
            script = BatchScript.Render(new BatchScriptInput
            {
                Template = _options.ScriptTemplate,
                JobName = request.ResourceName,
                JobDirectory = jobDirectory,
                OutputFile = outputPattern,
                ExportNames = jobEnvironment.Keys.Order(StringComparer.Ordinal).ToList(),
                Resources = resources,
                ExtraOptions = _options.ExtraSbatchOptions,
                Command = [.. _options.EffectiveCommand, .. _options.Args],
                Prologue = _options.Prologue,
                Epilogue = _options.Epilogue,
                DelayedTunnel = _options.DelayedTunnel,
                Python = _options.Python,
                InternalSsl = spec.Certs is not null,
            });
        }
        catch (ArgumentException e)
        {
            throw new BackendException($"The Slurm batch script could not be written: {e.Message}", e);
        }

        await context.ReportAsync(new ProgressEvent(20, "Submitting the server as a Slurm job"), cancellationToken);
        var submitted = await RunAsync(_cli.Submit(script, user, jobEnvironment), cancellationToken)
            ?? throw new BackendException("sbatch could not be run on the Outpost; see the Outpost's log.");
        var jobId = SlurmCli.ParseSubmit(submitted);
        var job = new SlurmJobHandle(jobId, user, port, outputPattern.Replace("%j", jobId, StringComparison.Ordinal));
        await context.SaveHandleAsync(job.ToHandle(), cancellationToken);
        Log.Submitted(logger, jobId, request.Key.ToString(), user);
        await context.ReportAsync(new ProgressEvent(30, $"Slurm job {jobId} submitted"), cancellationToken);

        job = await WaitUntilReadyAsync(job, spec, context, cancellationToken);
        return new BackendStartResult(job.ToHandle(), _options.DelayedTunnel ? "" : $"{job.Host}:{job.Port}");
    }

    public async Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var job = SlurmJobHandle.From(handle);
        var queue = SlurmQuery.Failed("squeue was not asked");
        for (var attempt = 1; attempt <= Math.Max(1, _options.QueryAttempts); attempt++)
        {
            queue = await QueueAsync(job, cancellationToken);
            if (queue.Outcome != SlurmQueryOutcome.Failed)
            {
                break;
            }
            if (attempt < _options.QueryAttempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(_options.QueryRetryDelaySeconds), time, cancellationToken);
            }
        }
        if (queue.Outcome == SlurmQueryOutcome.Found)
        {
            return StatusOf(queue.Job!);
        }

        var accounting = await AccountingAsync(job, cancellationToken);
        if (accounting.Outcome == SlurmQueryOutcome.Found)
        {
            return StatusOf(accounting.Job!);
        }
        if (queue.Outcome == SlurmQueryOutcome.NotFound)
        {
            Log.Vanished(logger, job.JobId);
            return BackendStatus.Exited(0, $"Slurm no longer knows job {job.JobId}; it has ended.");
        }
        return BackendStatus.Unknown($"Slurm could not be asked about job {job.JobId}: {queue.Error}");
    }

    public async Task StopAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var job = SlurmJobHandle.From(handle);
        var result = await RunAsync(_cli.Cancel(job.JobId, job.User), cancellationToken)
            ?? throw new BackendException($"scancel could not be run for Slurm job {job.JobId}; see the Outpost's log.");
        if (!result.Succeeded && !SlurmCli.CancelFoundNothing(result))
        {
            throw new BackendException($"Slurm could not cancel job {job.JobId}: {SlurmCli.Summary(result)}");
        }
        Log.Cancelled(logger, job.JobId);

        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(_options.StopTimeoutSeconds);
        while (true)
        {
            var query = await QueueAsync(job, cancellationToken);
            if (query.Outcome == SlurmQueryOutcome.NotFound
                || query.Job is { Phase: SlurmJobPhase.Ended })
            {
                return;
            }
            if (time.GetUtcNow() >= deadline)
            {
                var seen = query.Job is { } state ? $"is still {state.State}" : $"could not be checked ({query.Error})";
                throw new BackendException(
                    $"Slurm job {job.JobId} {seen} {_options.StopTimeoutSeconds} s after it was cancelled.");
            }
            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken)
    {
        var job = SlurmJobHandle.From(handle);
        var lines = new Queue<string>();
        try
        {
            using var reader = new StreamReader(new FileStream(
                job.OutputFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                lines.Enqueue(line);
                if (lines.Count > Math.Max(0, maxLines))
                {
                    lines.Dequeue();
                }
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogsUnreadable(logger, job.JobId, e.Message);
            return [];
        }
        return [.. lines];
    }

    private TimeSpan PollInterval => TimeSpan.FromSeconds(_options.PollIntervalSeconds);

    private async Task<SlurmJobHandle> WaitUntilReadyAsync(
        SlurmJobHandle job, ServerSpec spec, IStartContext context, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(_options.StartTimeoutSeconds);
        string? lastMessage = null;
        var lastSeen = "not yet seen by squeue";

        async ValueTask Report(int progress, string message)
        {
            if (message != lastMessage)
            {
                lastMessage = message;
                await context.ReportAsync(new ProgressEvent(progress, message), cancellationToken);
            }
        }

        while (true)
        {
            if (time.GetUtcNow() >= deadline)
            {
                Log.StartTimedOut(logger, job.JobId, _options.StartTimeoutSeconds);
                await CancelQuietlyAsync(job);
                throw new BackendException(
                    $"The server did not start within {_options.StartTimeoutSeconds} s (Slurm job {job.JobId} was {lastSeen}); the job was cancelled.");
            }

            var query = await QueueAsync(job, cancellationToken);
            if (query.Outcome == SlurmQueryOutcome.NotFound)
            {
                query = await AccountingAsync(job, cancellationToken) is { Outcome: SlurmQueryOutcome.Found } known
                    ? known
                    : throw new BackendException($"Slurm job {job.JobId} disappeared before the server started.");
            }

            switch (query.Outcome, query.Job?.Phase)
            {
                case (SlurmQueryOutcome.Failed, _):
                    await Report(30, "Slurm does not answer at the moment; still waiting");
                    break;
                case (_, SlurmJobPhase.Pending):
                    lastSeen = $"pending ({query.Job!.DescribeWait()})";
                    await Report(40, query.Job.DescribeWait());
                    break;
                case (_, SlurmJobPhase.Other):
                    lastSeen = query.Job!.State;
                    await Report(40, $"Slurm job {job.JobId} is {query.Job.State}");
                    break;
                case (_, SlurmJobPhase.Ended):
                    throw new BackendException(
                        $"Slurm job {job.JobId} ended ({query.Job!.State}) before the server answered; its output (collect_logs) may tell why.");
                case (_, SlurmJobPhase.Running):
                    if (job.Host.Length == 0)
                    {
                        job = job with { Host = await ServiceHostAsync(job, query.Job!.Node) };
                        await context.SaveHandleAsync(job.ToHandle(), cancellationToken);
                        Log.Running(logger, job.JobId, query.Job.Node);
                        await Report(60, $"running on {query.Job.Node}");
                    }
                    lastSeen = $"running on {query.Job!.Node}";
                    if (_options.ReadyWhenRunning || await AnswersAsync(job, spec, cancellationToken))
                    {
                        return job;
                    }
                    await Report(70, $"waiting for the server on {job.Host}:{job.Port}");
                    break;
            }
            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    private async Task<string> ServiceHostAsync(SlurmJobHandle job, string node)
    {
        if (IPAddress.TryParse(_options.BindAddress, out var bind) && !bind.Equals(IPAddress.Any))
        {
            return _options.BindAddress;
        }
        if (SlurmValues.IsHostName(node))
        {
            return node;
        }
        await CancelQuietlyAsync(job);
        throw new BackendException($"Slurm job {job.JobId} runs on a node whose name cannot be used as a host ('{node}'); the job was cancelled.");
    }

    private async Task<bool> AnswersAsync(SlurmJobHandle job, ServerSpec spec, CancellationToken cancellationToken)
    {
        if (spec.Certs is not null)
        {
            // With internal_ssl the server asks for a client certificate the Outpost does not have: it listening is the sign.
            return await AcceptsAsync(job, cancellationToken);
        }
        var prefix = spec.Env.GetValueOrDefault("JUPYTERHUB_SERVICE_PREFIX", "/");
        if (!prefix.StartsWith('/') || !Uri.TryCreate($"http://{job.Host}:{job.Port}{prefix.TrimEnd('/')}/api", UriKind.Absolute, out var url))
        {
            url = new Uri($"http://{job.Host}:{job.Port}/api");
        }
        try
        {
            using var client = httpClients.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return true; // any HTTP answer means the server is up, as JupyterHub itself judges it
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<bool> AcceptsAsync(SlurmJobHandle job, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(job.Host, job.Port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<SlurmQuery> QueueAsync(SlurmJobHandle job, CancellationToken cancellationToken)
    {
        var result = await RunAsync(_cli.Queue(job.JobId, job.User), cancellationToken);
        var query = result is null ? SlurmQuery.Failed("squeue could not be run") : SlurmCli.ParseQueue(job.JobId, result);
        if (query.Outcome == SlurmQueryOutcome.Failed)
        {
            Log.QueryFailed(logger, job.JobId, query.Error!);
        }
        return query;
    }

    private async Task<SlurmQuery> AccountingAsync(SlurmJobHandle job, CancellationToken cancellationToken)
    {
        var result = await RunAsync(_cli.Accounting(job.JobId, job.User), cancellationToken);
        return result is null ? SlurmQuery.Failed("sacct could not be run") : SlurmCli.ParseAccounting(job.JobId, result);
    }

    private async Task CancelQuietlyAsync(SlurmJobHandle job)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.CommandTimeoutSeconds + 5));
        var result = await RunAsync(_cli.Cancel(job.JobId, job.User), timeout.Token);
        if (result is { Succeeded: false } && !SlurmCli.CancelFoundNothing(result))
        {
            Log.CancelFailed(logger, job.JobId, SlurmCli.Summary(result));
        }
    }

    /// <summary>Runs a command; a failure to run it (missing program, timeout) is logged and answers null.</summary>
    private async Task<CommandResult?> RunAsync(CommandSpec command, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(command, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.CommandFailed(logger, command.ToString(), e.Message);
            return null;
        }
    }

    private static BackendStatus StatusOf(SlurmJobState state) =>
        state.Phase == SlurmJobPhase.Ended
            ? BackendStatus.Exited(state.ExitCode ?? (state.State == "COMPLETED" ? 0 : 1), $"Slurm job {state.JobId} ended: {state.State}")
            : BackendStatus.Running;

    /// <summary>The system user and resources of a request; throws what a start would refuse.</summary>
    private (string User, SlurmJobResources Resources) CheckRequest(ServerKey key, ServerSpec spec)
    {
        if (spec.Certs is not null && !BatchScript.Uses(_options.ScriptTemplate, "setup"))
        {
            throw new BackendException(
                "internal_ssl needs {{setup}} in this Outpost's Slurm ScriptTemplate, where the job writes its certificates; ask the Outpost's administrator.");
        }
        return (SystemUserFor(key.Hub, spec.UserName), SlurmResourceResolver.Resolve(_options, key.Hub, spec));
    }

    /// <summary>The system user a hub user's jobs run as; "" when no setting uses it.</summary>
    private string SystemUserFor(string hub, string hubUser)
    {
        var used = _options.ExecPrefix.Concat(_options.QueryExecPrefix).Append(_options.JobDirectory)
            .Any(word => word.Contains("{username}", StringComparison.Ordinal));
        if (!used)
        {
            return "";
        }
        var user = _options.UserMap.TryGetValue(hubUser, out var mapped)
            ? mapped
            : _options.SystemUser.Replace("{username}", hubUser, StringComparison.Ordinal).Replace("{hub}", hub, StringComparison.Ordinal);
        return Regex.IsMatch(user, $"^(?:{_options.SystemUserPattern})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200))
            ? user
            : throw new BackendException(
                $"The hub user '{Printable(hubUser)}' has no valid system user on this Outpost (got '{Printable(user)}').");
    }

    private Dictionary<string, string> JobEnvironment(ServerSpec spec, int port)
    {
        var environment = new Dictionary<string, string>(_options.JobEnvironment, StringComparer.Ordinal);
        foreach (var (name, value) in spec.Env)
        {
            if (!SlurmValues.IsEnvName(name))
            {
                throw new BackendException($"env '{Printable(name)}' is refused: it is not a valid variable name.");
            }
            if (ReservedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                throw new BackendException($"env.{name} is refused: variables starting with {string.Join(", ", ReservedPrefixes)} are reserved for Slurm and the Outpost.");
            }
            if (value.Contains('\0'))
            {
                throw new BackendException($"env.{name} is refused: it contains a NUL character.");
            }
            environment[name] = value;
        }
        foreach (var name in HubSslPaths)
        {
            environment.Remove(name);
        }
        if (spec.Certs is { } certs)
        {
            environment["OUTPOST_SCHEME"] = "https";
            environment["OUTPOST_SSL_KEY"] = certs.KeyFile;
            environment["OUTPOST_SSL_CERT"] = certs.CertFile;
            environment["OUTPOST_SSL_CA"] = certs.CaFile;
        }
        environment["OUTPOST_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (_options.BindAddress.Length > 0)
        {
            environment["OUTPOST_BIND_ADDRESS"] = _options.BindAddress;
            if (!IPAddress.Parse(_options.BindAddress).Equals(IPAddress.Any))
            {
                environment["OUTPOST_SERVICE_HOST"] = _options.BindAddress;
            }
        }
        return environment;
    }

    /// <summary>A random port from the range that is free on this host (the node may differ; then it is a good guess).</summary>
    private int PickPort()
    {
        var candidate = _options.PortRangeStart;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            candidate = Random.Shared.Next(_options.PortRangeStart, _options.PortRangeEnd + 1);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, candidate);
                listener.Start();
                return candidate;
            }
            catch (SocketException)
            {
            }
        }
        return candidate;
    }

    private static string Printable(string text) =>
        new(text.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
