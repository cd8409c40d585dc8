using Outpost.Servers;

namespace Outpost.Backends;

/// <summary>
/// The request names something the backend does not offer (an unknown profile or choice): answered with a 422 whose
/// <c>detail</c> names each field, like any other invalid field of the start request.
/// </summary>
public sealed class BackendFieldException(IReadOnlyList<FieldError> errors)
    : Exception(string.Join(" ", errors.Select(e => $"{string.Join('.', e.Loc.Skip(1))}: {e.Msg}")))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}
