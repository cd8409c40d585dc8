using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Outpost.Events;
using Outpost.Processes;
using Outpost.Servers;

namespace Outpost.Backends.Batch;

/// <summary>
/// The life of a server run as a batch job, for any scheduler (<see cref="IBatchScheduler"/>). Start renders the
/// script, submits it on standard input with the job's variables in the submit command's environment, stores the
/// handle before it waits, and follows the job through the queue until the server answers. Status, stop and logs
/// work from the handle alone, so a restarted Outpost adopts its jobs. A failed queue query never counts as
/// "ended": only the scheduler saying so does.
/// </summary>
public sealed partial class BatchJobRunner(
    IBatchScheduler scheduler,
    BatchBackendOptions options,
    ICommandRunner runner,
    IHttpClientFactory httpClients,
    string httpClientName,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>The hub's certificate paths: they name files on the hub; the job sets its own (<see cref="JobScript.SslSetup"/>).</summary>
    private static readonly string[] HubSslPaths = [HubEnv.SslKeyFile, HubEnv.SslCertFile, HubEnv.SslClientCa];

    private string Name => scheduler.Name;

    private TimeSpan PollInterval => TimeSpan.FromSeconds(options.PollIntervalSeconds);

    /// <summary>The system user a hub user's jobs run as ("" when no setting uses it); throws when the start would be refused.</summary>
    public string CheckRequest(ServerKey key, ServerSpec spec)
    {
        if (spec.Certs is not null && !JobScript.Uses(options.ScriptTemplate, "setup"))
        {
            throw new BackendException(
                $"internal_ssl needs {{{{setup}}}} in this Outpost's {Name} ScriptTemplate, where the job writes its certificates; ask the Outpost's administrator.");
        }
        return SystemUserFor(key.Hub, spec.UserName);
    }

    /// <summary>
    /// Submits the job and waits until its server is ready. <paramref name="render"/> turns the common script parts
    /// into the scheduler's script (adding its directives); it throws <see cref="ArgumentException"/> for an unsafe value.
    /// </summary>
    public async Task<BackendStartResult> StartAsync(
        BackendStartRequest request, string user, IStartContext context, Func<JobScriptInput, string> render, CancellationToken cancellationToken)
    {
        var spec = request.Spec;
        var port = PickPort();
        var jobEnvironment = JobEnvironment(spec, port);
        var jobDirectory = options.JobDirectory
            .Replace("{username}", user, StringComparison.Ordinal)
            .Replace("{workdir}", request.WorkDirectory, StringComparison.Ordinal);
        var outputPattern = Path.Combine(jobDirectory, $"{request.ResourceName}-{scheduler.JobIdPattern}.out");

        string script;
        try
        {
            script = render(new JobScriptInput
            {
                Template = options.ScriptTemplate,
                JobName = request.ResourceName,
                JobDirectory = jobDirectory,
                OutputFile = outputPattern,
                ExportNames = jobEnvironment.Keys.Order(StringComparer.Ordinal).ToList(),
                Command = [.. options.EffectiveCommand, .. options.Args],
                Prologue = options.Prologue,
                Epilogue = options.Epilogue,
                DelayedTunnel = options.DelayedTunnel,
                Python = options.Python,
                InternalSsl = spec.Certs is not null,
            });
        }
        catch (ArgumentException e)
        {
            throw new BackendException($"The {Name} batch script could not be written: {e.Message}", e);
        }

        await context.ReportAsync(new ProgressEvent(20, $"Submitting the server as a {Name} job"), cancellationToken);
        var submitted = await RunAsync(scheduler.Submit(script, user, jobEnvironment), cancellationToken)
            ?? throw new BackendException($"{scheduler.Programs.Submit} could not be run on the Outpost; see the Outpost's log.");
        var jobId = scheduler.ParseSubmit(submitted);
        var job = new BatchJobHandle(jobId, user, port, outputPattern.Replace(scheduler.JobIdPattern, jobId, StringComparison.Ordinal));
        await context.SaveHandleAsync(job.ToHandle(), cancellationToken);
        Log.Submitted(logger, Name, jobId, request.Key.ToString(), user);
        await context.ReportAsync(new ProgressEvent(30, $"{Name} job {jobId} submitted"), cancellationToken);

        job = await WaitUntilReadyAsync(job, spec, context, cancellationToken);
        return new BackendStartResult(job.ToHandle(), options.DelayedTunnel ? "" : $"{job.Host}:{job.Port}");
    }

    public async Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var job = BatchJobHandle.From(handle, Name);
        var queue = BatchQuery.Failed($"{scheduler.Programs.Queue} was not asked");
        for (var attempt = 1; attempt <= Math.Max(1, options.QueryAttempts); attempt++)
        {
            queue = await QueueAsync(job, cancellationToken);
            if (queue.Outcome != BatchQueryOutcome.Failed)
            {
                break;
            }
            if (attempt < options.QueryAttempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(options.QueryRetryDelaySeconds), time, cancellationToken);
            }
        }
        if (queue.Outcome == BatchQueryOutcome.Found)
        {
            return StatusOf(queue.Job!);
        }

        var accounting = await AccountingAsync(job, cancellationToken);
        if (accounting.Outcome == BatchQueryOutcome.Found)
        {
            return StatusOf(accounting.Job!);
        }
        if (queue.Outcome == BatchQueryOutcome.NotFound)
        {
            Log.Vanished(logger, Name, job.JobId);
            return BackendStatus.Exited(0, $"{Name} no longer knows job {job.JobId}; it has ended.");
        }
        return BackendStatus.Unknown($"{Name} could not be asked about job {job.JobId}: {queue.Error}");
    }

    public async Task StopAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var job = BatchJobHandle.From(handle, Name);
        var result = await RunAsync(scheduler.Cancel(job.JobId, job.User), cancellationToken)
            ?? throw new BackendException($"{scheduler.Programs.Cancel} could not be run for {Name} job {job.JobId}; see the Outpost's log.");
        if (!result.Succeeded && !scheduler.CancelFoundNothing(result))
        {
            throw new BackendException($"{Name} could not cancel job {job.JobId}: {BatchCommands.Summary(result)}");
        }
        Log.Cancelled(logger, Name, job.JobId);

        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(options.StopTimeoutSeconds);
        while (true)
        {
            var query = await QueueAsync(job, cancellationToken);
            if (query.Outcome == BatchQueryOutcome.NotFound
                || query.Job is { Phase: BatchJobPhase.Ended })
            {
                return;
            }
            if (time.GetUtcNow() >= deadline)
            {
                var seen = query.Job is { } state ? $"is still {state.State}" : $"could not be checked ({query.Error})";
                throw new BackendException(
                    $"{Name} job {job.JobId} {seen} {options.StopTimeoutSeconds} s after it was cancelled.");
            }
            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    /// <summary>The last lines of the job's output file; none while it does not exist.</summary>
    public async Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken)
    {
        var job = BatchJobHandle.From(handle, Name);
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
            Log.LogsUnreadable(logger, Name, job.JobId, e.Message);
            return [];
        }
        return [.. lines];
    }

    /// <summary>Runs a command for <c>outpost check</c>: its result, or why it could not run.</summary>
    public async Task<(CommandResult? Result, string? Error)> TryRunAsync(CommandSpec command, CancellationToken cancellationToken)
    {
        try
        {
            return (await runner.RunAsync(command, cancellationToken), null);
        }
        catch (Exception ex) when (ex is Win32Exception or TimeoutException or InvalidOperationException)
        {
            return (null, ex.Message);
        }
    }

    private async Task<BatchJobHandle> WaitUntilReadyAsync(
        BatchJobHandle job, ServerSpec spec, IStartContext context, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(options.StartTimeoutSeconds);
        string? lastMessage = null;
        var lastSeen = $"not yet seen by {scheduler.Programs.Queue}";

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
                Log.StartTimedOut(logger, Name, job.JobId, options.StartTimeoutSeconds);
                await CancelQuietlyAsync(job);
                throw new BackendException(
                    $"The server did not start within {options.StartTimeoutSeconds} s ({Name} job {job.JobId} was {lastSeen}); the job was cancelled.");
            }

            var query = await QueueAsync(job, cancellationToken);
            if (query.Outcome == BatchQueryOutcome.NotFound)
            {
                query = await AccountingAsync(job, cancellationToken) is { Outcome: BatchQueryOutcome.Found } known
                    ? known
                    : throw new BackendException($"{Name} job {job.JobId} disappeared before the server started.");
            }

            switch (query.Outcome, query.Job?.Phase)
            {
                case (BatchQueryOutcome.Failed, _):
                    await Report(30, $"{Name} does not answer at the moment; still waiting");
                    break;
                case (_, BatchJobPhase.Pending):
                    var wait = await WaitAsync(job, query.Job!, cancellationToken);
                    lastSeen = $"pending ({wait})";
                    await Report(40, wait);
                    break;
                case (_, BatchJobPhase.Other):
                    lastSeen = query.Job!.State;
                    await Report(40, $"{Name} job {job.JobId} is {query.Job.State}");
                    break;
                case (_, BatchJobPhase.Ended):
                    throw new BackendException(
                        $"{Name} job {job.JobId} ended ({query.Job!.State}) before the server answered; its output (collect_logs) may tell why.");
                case (_, BatchJobPhase.Running):
                    if (job.Host.Length == 0)
                    {
                        job = job with { Host = await ServiceHostAsync(job, query.Job!.Node) };
                        await context.SaveHandleAsync(job.ToHandle(), cancellationToken);
                        Log.Running(logger, Name, job.JobId, query.Job.Node);
                        await Report(60, $"running on {query.Job.Node}");
                    }
                    lastSeen = $"running on {query.Job!.Node}";
                    if (options.ReadyWhenRunning || await AnswersAsync(job, spec, cancellationToken))
                    {
                        return job;
                    }
                    await Report(70, $"waiting for the server on {job.Host}:{job.Port}");
                    break;
            }
            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    /// <summary>Why a queued job waits: the queue's word, or the scheduler's detail query when it has one and it answers.</summary>
    private async Task<string> WaitAsync(BatchJobHandle job, BatchJobState state, CancellationToken cancellationToken)
    {
        var wait = state.Wait.Length > 0 ? state.Wait : "queued";
        if (scheduler.WaitDetail(job.JobId, job.User) is not { } detail)
        {
            return wait;
        }
        var result = await RunAsync(detail, cancellationToken);
        return result is not null && scheduler.ParseWaitDetail(state, result) is { Length: > 0 } explained ? explained : wait;
    }

    private async Task<string> ServiceHostAsync(BatchJobHandle job, string node)
    {
        if (IPAddress.TryParse(options.BindAddress, out var bind) && !bind.Equals(IPAddress.Any))
        {
            return options.BindAddress;
        }
        if (BatchValues.IsHostName(node))
        {
            return node;
        }
        await CancelQuietlyAsync(job);
        throw new BackendException($"{Name} job {job.JobId} runs on a node whose name cannot be used as a host ('{node}'); the job was cancelled.");
    }

    private async Task<bool> AnswersAsync(BatchJobHandle job, ServerSpec spec, CancellationToken cancellationToken)
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
            using var client = httpClients.CreateClient(httpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return true; // any HTTP answer means the server is up, as JupyterHub itself judges it
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<bool> AcceptsAsync(BatchJobHandle job, CancellationToken cancellationToken)
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

    private async Task<BatchQuery> QueueAsync(BatchJobHandle job, CancellationToken cancellationToken)
    {
        var result = await RunAsync(scheduler.Queue(job.JobId, job.User), cancellationToken);
        var query = result is null ? BatchQuery.Failed($"{scheduler.Programs.Queue} could not be run") : scheduler.ParseQueue(job.JobId, result);
        if (query.Outcome == BatchQueryOutcome.Failed)
        {
            Log.QueryFailed(logger, Name, job.JobId, query.Error!);
        }
        return query;
    }

    private async Task<BatchQuery> AccountingAsync(BatchJobHandle job, CancellationToken cancellationToken)
    {
        var result = await RunAsync(scheduler.Accounting(job.JobId, job.User), cancellationToken);
        return result is null ? BatchQuery.Failed($"{scheduler.Programs.Accounting} could not be run") : scheduler.ParseAccounting(job.JobId, result);
    }

    private async Task CancelQuietlyAsync(BatchJobHandle job)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.CommandTimeoutSeconds + 5));
        var result = await RunAsync(scheduler.Cancel(job.JobId, job.User), timeout.Token);
        if (result is { Succeeded: false } && !scheduler.CancelFoundNothing(result))
        {
            Log.CancelFailed(logger, Name, job.JobId, BatchCommands.Summary(result));
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
            Log.CommandFailed(logger, Name, command.ToString(), e.Message);
            return null;
        }
    }

    private BackendStatus StatusOf(BatchJobState state) =>
        state.Phase == BatchJobPhase.Ended
            ? BackendStatus.Exited(state.ExitCode ?? (state.Succeeded ? 0 : 1), $"{Name} job {state.JobId} ended: {state.State}")
            : BackendStatus.Running;

    /// <summary>The system user a hub user's jobs run as; "" when no setting uses it.</summary>
    private string SystemUserFor(string hub, string hubUser)
    {
        var used = options.ExecPrefix.Concat(options.QueryExecPrefix).Append(options.JobDirectory)
            .Any(word => word.Contains("{username}", StringComparison.Ordinal));
        if (!used)
        {
            return "";
        }
        var user = options.UserMap.TryGetValue(hubUser, out var mapped)
            ? mapped
            : options.SystemUser.Replace("{username}", hubUser, StringComparison.Ordinal).Replace("{hub}", hub, StringComparison.Ordinal);
        return Regex.IsMatch(user, $"^(?:{options.SystemUserPattern})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200))
            ? user
            : throw new BackendException(
                $"The hub user '{Printable(hubUser)}' has no valid system user on this Outpost (got '{Printable(user)}').");
    }

    /// <summary>
    /// The job's variables: the administrator's, then the hub's (checked: valid names, none the scheduler or the
    /// script reserves, no NUL), then the Outpost's own (port, bind address, internal_ssl certificates).
    /// </summary>
    private Dictionary<string, string> JobEnvironment(ServerSpec spec, int port)
    {
        var reserved = scheduler.ReservedPrefixes;
        var environment = new Dictionary<string, string>(options.JobEnvironment, StringComparer.Ordinal);
        foreach (var (name, value) in spec.Env)
        {
            if (!BatchValues.IsEnvName(name))
            {
                throw new BackendException($"env '{Printable(name)}' is refused: it is not a valid variable name.");
            }
            if (reserved.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                throw new BackendException($"env.{name} is refused: variables starting with {string.Join(", ", reserved)} are reserved for {Name} and the Outpost.");
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
        if (options.BindAddress.Length > 0)
        {
            environment["OUTPOST_BIND_ADDRESS"] = options.BindAddress;
            if (!IPAddress.Parse(options.BindAddress).Equals(IPAddress.Any))
            {
                environment["OUTPOST_SERVICE_HOST"] = options.BindAddress;
            }
        }
        return environment;
    }

    /// <summary>A random port from the range that is free on this host (the node may differ; then it is a good guess).</summary>
    private int PickPort()
    {
        var candidate = options.PortRangeStart;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            candidate = Random.Shared.Next(options.PortRangeStart, options.PortRangeEnd + 1);
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
