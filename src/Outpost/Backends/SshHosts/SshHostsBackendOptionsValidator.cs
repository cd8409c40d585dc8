using System.Net;
using Microsoft.Extensions.Options;

namespace Outpost.Backends.SshHosts;

/// <summary>Checks the SSH hosts backend's options at start-up and names every bad key.</summary>
public sealed class SshHostsBackendOptionsValidator : IValidateOptions<SshHostsBackendOptions>
{
    private const string Prefix = "Outpost:Backends:SshHosts";

    public ValidateOptionsResult Validate(string? name, SshHostsBackendOptions options)
    {
        var errors = new List<string>();
        if (options.Hosts.Count == 0)
        {
            errors.Add($"{Prefix}:Hosts must list at least one host.");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Hosts.Count; i++)
        {
            ValidateHost(options.Hosts[i], $"{Prefix}:Hosts:{i}", names, errors);
        }
        if (!RemoteAccount.IsValidRule(options.User) && options.Hosts.Any(h => h.User is null))
        {
            errors.Add($"{Prefix}:User '{options.User}' must be a POSIX user name or a template with {RemoteAccount.UserNamePlaceholder} (lower-case letters, digits, '_', '-').");
        }
        if (options.KeyFile is not null)
        {
            ValidatePath(options.KeyFile, $"{Prefix}:KeyFile", errors);
        }
        else if (options.AuthStateKey is null && options.Hosts.Any(h => h.KeyFile is null))
        {
            errors.Add($"{Prefix}:KeyFile is required unless every host has a KeyFile or AuthStateKey names the auth state field with the user's key.");
        }
        if (options.AuthStateKey is { } field && (field.Length == 0 || !field.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
        {
            errors.Add($"{Prefix}:AuthStateKey '{field}' must be an auth state field name (letters, digits, '_', '-').");
        }
        if (options.Command.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{Prefix}:Command must list a program and its arguments, with no empty item.");
        }
        foreach (var variable in options.Environment.Keys.Where(k => !PosixShell.IsVariableName(k)))
        {
            errors.Add($"{Prefix}:Environment:{variable} is not a variable name (letters, digits and '_', not starting with a digit).");
        }
        if (options.Path.Length == 0 || options.Path.Contains('\0') || options.Path.Contains('\n'))
        {
            errors.Add($"{Prefix}:Path must be a PATH list (folders separated by ':').");
        }
        if (!IPAddress.TryParse(options.ServerIp, out _))
        {
            errors.Add($"{Prefix}:ServerIp '{options.ServerIp}' is not an IP address.");
        }
        if (options.PortRangeStart is < 1024 or > 65535 || options.PortRangeEnd is < 1024 or > 65535 || options.PortRangeEnd < options.PortRangeStart)
        {
            errors.Add($"{Prefix}:PortRangeStart and PortRangeEnd must be ports from 1024 to 65535, start not after end (got {options.PortRangeStart}-{options.PortRangeEnd}).");
        }
        if (options.RemoteDirectory.Length == 0 || options.RemoteDirectory.Contains('\0') || options.RemoteDirectory.Contains('\n')
            || options.RemoteDirectory.Split('/').Contains(".."))
        {
            errors.Add($"{Prefix}:RemoteDirectory '{options.RemoteDirectory}' must be a folder path without '..' (relative to the remote home unless absolute).");
        }
        if (options.HostChoice is not (SshHostsBackendOptions.RoundRobin or SshHostsBackendOptions.LeastLoaded))
        {
            errors.Add($"{Prefix}:HostChoice must be {SshHostsBackendOptions.RoundRobin} or {SshHostsBackendOptions.LeastLoaded} (got '{options.HostChoice}').");
        }
        Range(options.HostRetrySeconds, 1, 86400, "HostRetrySeconds", errors);
        Range(options.StartTimeoutSeconds, 1, 3600, "StartTimeoutSeconds", errors);
        Range(options.StopGraceSeconds, 0, 600, "StopGraceSeconds", errors);
        Range(options.ConnectTimeoutSeconds, 1, 300, "ConnectTimeoutSeconds", errors);
        Range(options.CommandTimeoutSeconds, 1, 600, "CommandTimeoutSeconds", errors);
        if (string.IsNullOrWhiteSpace(options.SshProgram))
        {
            errors.Add($"{Prefix}:SshProgram must name the ssh client.");
        }
        if (options.ControlDirectory is { } control)
        {
            ValidatePath(control, $"{Prefix}:ControlDirectory", errors);
            if (Path.GetFullPath(control).Length > 80)
            {
                errors.Add($"{Prefix}:ControlDirectory '{control}' is too long: socket paths are limited to about 100 bytes; use at most 80 characters.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateHost(SshHostOptions host, string prefix, HashSet<string> names, List<string> errors)
    {
        if (host.Name.Length == 0 || !host.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            errors.Add($"{prefix}:Name '{host.Name}' must be a name of letters, digits, '-', '_' and '.'.");
        }
        else if (!names.Add(host.Name))
        {
            errors.Add($"{prefix}:Name '{host.Name}' is used by another host.");
        }
        // ssh takes the address as a word after "--"; still refuse anything a host name or address cannot be.
        if (host.Address.Length == 0 || host.Address.StartsWith('-')
            || !(IPAddress.TryParse(host.Address, out _) || Uri.CheckHostName(host.Address) == UriHostNameType.Dns))
        {
            errors.Add($"{prefix}:Address '{host.Address}' is not a host name or IP address.");
        }
        if (host.Port is < 1 or > 65535)
        {
            errors.Add($"{prefix}:Port must be between 1 and 65535 (got {host.Port}).");
        }
        if (host.KnownHostsFile.Length == 0)
        {
            errors.Add($"{prefix}:KnownHostsFile is required: host keys are always checked.");
        }
        else
        {
            ValidatePath(host.KnownHostsFile, $"{prefix}:KnownHostsFile", errors);
        }
        if (host.User is { } user && !RemoteAccount.IsValidRule(user))
        {
            errors.Add($"{prefix}:User '{user}' must be a POSIX user name or a template with {RemoteAccount.UserNamePlaceholder}.");
        }
        if (host.KeyFile is { } key)
        {
            ValidatePath(key, $"{prefix}:KeyFile", errors);
        }
    }

    /// <summary>ssh reads these paths from <c>-o Key=value</c>, where spaces, quotes and '%' tokens have meanings.</summary>
    private static void ValidatePath(string path, string key, List<string> errors)
    {
        if (path.Length == 0 || path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '%' or '#' or '$' or '~'))
        {
            errors.Add($"{key} '{path}' must be a path without spaces, quotes, '%', '#', '$' or '~'.");
        }
    }

    private static void Range(int value, int min, int max, string key, List<string> errors)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Prefix}:{key} must be between {min} and {max} (got {value}).");
        }
    }
}
