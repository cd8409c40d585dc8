namespace Outpost.Operations;

/// <summary>The body of <c>/health</c>: the overall status and each check's status and description.</summary>
public sealed record HealthResponse(string Status, Dictionary<string, HealthResponse.Check> Checks)
{
    public sealed record Check(string Status, string? Description);
}
