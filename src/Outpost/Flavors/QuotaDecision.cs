namespace Outpost.Flavors;

/// <summary>What <see cref="QuotaPolicy.Admit"/> decided for one start.</summary>
public abstract record QuotaDecision
{
    private QuotaDecision()
    {
    }

    /// <summary>The start may use its flavor, with the limits of <paramref name="Admission"/>.</summary>
    public sealed record Admitted(FlavorAdmission Admission) : QuotaDecision;

    /// <summary>The user may not use the flavor; <paramref name="Message"/> is the original Outpost's wording.</summary>
    public sealed record Refused(string Message) : QuotaDecision;
}
