using System.Globalization;

namespace Outpost.Backends.Kubernetes;

/// <summary>CPU cores as a Kubernetes quantity: whole cores as "2", fractions in millicores as "500m".</summary>
public static class CpuQuantity
{
    public static string Format(double cores)
    {
        var milli = (long)Math.Round(cores * 1000);
        return milli % 1000 == 0
            ? (milli / 1000).ToString(CultureInfo.InvariantCulture)
            : milli.ToString(CultureInfo.InvariantCulture) + "m";
    }
}
