namespace Outpost.Admin;

/// <summary>Why the admin channel refused a request; the command line prints <see cref="Error"/> as it is.</summary>
public sealed record AdminError(string Error);
