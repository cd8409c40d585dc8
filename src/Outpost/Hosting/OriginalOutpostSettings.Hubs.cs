using Outpost.Hubs;

namespace Outpost.Hosting;

public sealed partial class OriginalOutpostSettings
{
    /// <summary>Hub names with a password from either side, so a cleanup entry can be checked against them.</summary>
    private readonly HashSet<string> _hubNames = new(StringComparer.Ordinal);

    /// <summary><c>usernames</c> and <c>passwords</c>: hubs and their clear-text passwords, paired by position.</summary>
    private void ReadHubs()
    {
        // The original drops empty entries of each list before pairing them, so "a;;b" is two hubs.
        var names = SplitDroppingEmpty(Get(Usernames));
        var passwords = SplitDroppingEmpty(Get(Passwords));
        if (names.Count == 0 && passwords.Count == 0)
        {
            return;
        }
        if (names.Count != passwords.Count)
        {
            // The original skips a hub without a password with a warning; here a hub would vanish silently.
            Error(Usernames, $"has {names.Count} entries and {Passwords} has {passwords.Count}; give one password per hub, in the same order, separated by ';'.");
            return;
        }
        for (var i = 0; i < names.Count; i++)
        {
            var (name, password) = (names[i], passwords[i]);
            if (!HubsOptionsValidator.HubName().IsMatch(name))
            {
                // The entry is not repeated: a value in the wrong list could be a password.
                Error(Usernames, $"entry {i + 1} is not a valid hub name here (1-63 letters, digits, '.', '_' or '-', starting with a letter or digit).");
                continue;
            }
            if (!_hubNames.Add(name))
            {
                Error(Usernames, $"names hub '{name}' more than once.");
                continue;
            }
            if (OursHasCredential(name))
            {
                continue; // Outpost:Hubs:<name> gives this hub's password: ours wins
            }
            if (password.Length < HubsOptionsValidator.MinimumPasswordLength)
            {
                Error(Passwords, $"entry {i + 1} (hub '{name}') is shorter than {HubsOptionsValidator.MinimumPasswordLength} characters, which this Outpost refuses; "
                    + "give the hub a longer password here and in its OutpostSpawner configuration.");
                continue;
            }
            Set(Usernames, $"{HubNames.SectionPath}:{name}:{nameof(HubOptions.Password)}", password);
            _used.Add(Passwords);
        }
    }

    /// <summary>
    /// <c>JUPYTERHUB_CLEANUP_NAMES</c>, <c>_URLS</c>, <c>_TOKENS</c> (lists paired by position) and
    /// <c>JUPYTERHUB_CLEANUP_SLEEP_TIMER</c>: our orphan cleanup per hub, which asks the same URL for the same list.
    /// </summary>
    private void ReadCleanup()
    {
        if (Get(CheckServices) is { } check)
        {
            if (!IsTrue(check))
            {
                return; // the original runs no cleanup at all; the cleanup variables give nothing here
            }
            _used.Add(CheckServices);
        }
        var (names, urls, tokens) = (Get(CleanupNames), Get(CleanupUrls), Get(CleanupTokens));
        if (names is null && urls is null && tokens is null)
        {
            return;
        }
        if (string.IsNullOrEmpty(names) || string.IsNullOrEmpty(urls) || string.IsNullOrEmpty(tokens))
        {
            Error(CleanupNames, $"the cleanup needs all of {CleanupNames}, {CleanupUrls} and {CleanupTokens}; the original skips it silently without one of them.");
            return;
        }
        var (nameList, urlList, tokenList) = (names.Split(';'), urls.Split(';'), tokens.Split(';'));
        if (nameList.Length != urlList.Length || nameList.Length != tokenList.Length)
        {
            Error(CleanupNames, $"{CleanupNames}, {CleanupUrls} and {CleanupTokens} must have as many entries each (got {nameList.Length}, {urlList.Length} and {tokenList.Length}).");
            return;
        }
        var interval = Get(CleanupSleepTimer) is { } timer ? Seconds(CleanupSleepTimer, timer, 7 * 24 * 3600) : null;
        for (var i = 0; i < nameList.Length; i++)
        {
            var name = nameList[i];
            if (!_hubNames.Contains(name) && !OursHasCredential(name))
            {
                Error(CleanupNames, $"entry {i + 1} is not a hub of this Outpost (none in {Usernames} or {HubNames.SectionPath} has that name).");
                continue;
            }
            if (!Uri.TryCreate(urlList[i], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                Error(CleanupUrls, $"entry {i + 1} (hub '{name}') is not an http or https URL.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(tokenList[i]))
            {
                Error(CleanupTokens, $"entry {i + 1} (hub '{name}') is empty.");
                continue;
            }
            var section = $"{HubNames.SectionPath}:{name}:{nameof(HubOptions.Cleanup)}";
            Set(CleanupUrls, $"{section}:{nameof(HubCleanupOptions.Url)}", urlList[i]);
            Set(CleanupTokens, $"{section}:{nameof(HubCleanupOptions.Token)}", tokenList[i]);
            _used.Add(CleanupNames);
            if (interval is { } seconds)
            {
                Set(CleanupSleepTimer, $"{section}:{nameof(HubCleanupOptions.IntervalSeconds)}", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private bool OursHasCredential(string hub) =>
        _ours[$"{HubNames.SectionPath}:{hub}:{nameof(HubOptions.Password)}"] is { Length: > 0 }
        || _ours[$"{HubNames.SectionPath}:{hub}:{nameof(HubOptions.PasswordHash)}"] is { Length: > 0 };

    private static List<string> SplitDroppingEmpty(string? list) => [.. (list ?? "").Split(';').Where(entry => entry.Length > 0)];

    /// <summary>The original's switches: "true" or "1" in any case is on, anything else off.</summary>
    private static bool IsTrue(string value) => value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1";
}
