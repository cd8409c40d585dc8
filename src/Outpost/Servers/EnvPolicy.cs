using Outpost.Hubs;

namespace Outpost.Servers;

/// <summary>
/// Which environment variables a hub may hand to a server: <c>JUPYTERHUB_*</c> and <c>JUPYTER_*</c>,
/// plus the hub's <see cref="HubOptions.AllowedEnv"/>, but never variables that change how programs
/// are found, loaded or run.
/// </summary>
public static class EnvPolicy
{
    private static readonly string[] ForbiddenPrefixes = ["LD_", "PYTHON", "DYLD_", "PERL5", "RUBY", "NODE_", "BASH_", "JAVA_", "GCONV", "MALLOC_"];
    private static readonly HashSet<string> ForbiddenNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "PATH", "HOME", "SHELL", "ENV", "IFS", "CDPATH", "PS4", "PROMPT_COMMAND", "SHELLOPTS", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR",
    };

    public static bool IsForbidden(string key) =>
        ForbiddenNames.Contains(key) || ForbiddenPrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    public static bool IsAllowed(string key, HubOptions? hub) =>
        !IsForbidden(key)
        && (key.StartsWith("JUPYTERHUB_", StringComparison.Ordinal)
            || key.StartsWith("JUPYTER_", StringComparison.Ordinal)
            || (hub?.AllowedEnv.Contains(key, StringComparer.Ordinal) ?? false));
}
