namespace Outpost.Servers;

/// <summary>
/// Why a request was refused (a policy, conflict or backend problem): the hub shows <see cref="Message"/> to the user;
/// <see cref="ErrorClass"/> names the error, as the original Outpost reported its exception's class.
/// </summary>
public sealed record Refusal(string ErrorClass, string Message)
{
    public static Refusal From(Exception exception) => new(exception.GetType().Name, exception.Message);

    /// <summary>A refusal by policy (<see cref="OutpostRefusal"/>).</summary>
    public static Refusal Of(string message) => new(nameof(OutpostRefusal), message);
}
