namespace Outpost.Status;

/// <summary>What <see cref="StatusPageAccess"/> decided about one request.</summary>
public enum StatusAccess
{
    /// <summary>The page is off: answered 404, as if it did not exist.</summary>
    Disabled,

    /// <summary>No usable Basic credentials: 401 with a challenge.</summary>
    Missing,

    /// <summary>Wrong user name or password: 401 with a challenge, and one failure counted.</summary>
    Denied,

    /// <summary>Too many failures from this address: 429, before the password is checked.</summary>
    Limited,

    Granted,
}
