namespace Outpost.Servers;

/// <summary>What <see cref="StartRequestReader.Read"/> made of a <c>POST /services</c> body.</summary>
public abstract record StartRequestResult
{
    private StartRequestResult()
    {
    }

    /// <summary>The body is a valid start request for <paramref name="Spec"/>.</summary>
    public sealed record Valid(ServerSpec Spec) : StartRequestResult;

    /// <summary>The body is not a valid start request: each invalid field (at most 50), for the 422.</summary>
    public sealed record Invalid(IReadOnlyList<FieldError> Errors) : StartRequestResult;
}
