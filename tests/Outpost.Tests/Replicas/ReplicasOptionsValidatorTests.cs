using Outpost.Replicas;

namespace Outpost.Tests.Replicas;

public sealed class ReplicasOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_AreValid() =>
        Assert.True(new ReplicasOptionsValidator().Validate(null, new ReplicasOptions()).Succeeded);

    [Theory]
    [InlineData(1, 1, 5, "LeaseSeconds must be between 2 and 600")]
    [InlineData(10, 5, 5, "RenewSeconds must be at least 1 and less than half of LeaseSeconds (got 5 with LeaseSeconds 10)")]
    [InlineData(10, 0, 5, "RenewSeconds must be at least 1")]
    [InlineData(10, 2, 0, "ReconcileSeconds must be between 1 and 3600")]
    public void Validate_BadValue_IsNamed(int lease, int renew, int reconcile, string expected)
    {
        var result = new ReplicasOptionsValidator().Validate(null, new ReplicasOptions { LeaseSeconds = lease, RenewSeconds = renew, ReconcileSeconds = reconcile });

        Assert.Contains(result.Failures!, f => f.Contains(expected));
    }
}
