using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Outpost.Backends.Kubernetes;
using Outpost.Servers;

namespace Outpost.Backends.Containers;

/// <summary>
/// The settings of one server's container, resolved in order: the backend's options, the request's profile, its
/// flavor, then the hub's <c>misc</c> (only keys the hub's policy let through; <c>image</c> only from
/// <see cref="ContainerBackendOptions.AllowedImages"/>, limits only lower than what flavor or profile gave).
/// </summary>
public sealed partial record ContainerSettings(
    string Image,
    IReadOnlyDictionary<string, string> Environment,
    long? MemoryBytes,
    double? CpuLimit)
{
    /// <summary>The misc keys this backend reads; others (e.g. KubeSpawner's, which the outpostspawner sends by default) are ignored.</summary>
    public static readonly IReadOnlyList<string> MiscKeys = ["image", "mem_limit", "cpu_limit", "port"];

    public static ContainerSettings Resolve(ContainerBackendOptions options, ServerSpec spec)
    {
        var image = options.Image;
        var memory = options.MemoryLimit;
        var cpu = options.CpuLimit;
        var environment = new Dictionary<string, string>(options.Environment, StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(spec.Profile) && options.Profiles.Count > 0)
        {
            if (!options.Profiles.TryGetValue(spec.Profile, out var profile))
            {
                throw new BackendException(
                    $"The profile '{spec.Profile}' is not configured for containers on this Outpost (configured: {string.Join(", ", options.Profiles.Keys.Order(StringComparer.Ordinal))}).");
            }
            image = profile.Image ?? image;
            memory = profile.MemoryLimit ?? memory;
            cpu = profile.CpuLimit ?? cpu;
            foreach (var (key, value) in profile.Environment)
            {
                environment[key] = value;
            }
        }
        if (spec.Flavor is { } flavor && options.Flavors.TryGetValue(flavor, out var resources))
        {
            memory = resources.MemoryLimit ?? memory;
            cpu = resources.CpuLimit ?? cpu;
        }
        var memoryBytes = memory is null ? null : ByteQuantity.TryParse(memory);

        var errors = new List<string>();
        if (spec.Misc.TryGetValue("image", out var miscImage) && miscImage.ValueKind != JsonValueKind.Null)
        {
            if (miscImage.ValueKind != JsonValueKind.String)
            {
                errors.Add($"misc.image must be a string, not {miscImage.ValueKind.ToString().ToLowerInvariant()}.");
            }
            else if (!options.AllowedImages.Contains(miscImage.GetString()!, StringComparer.Ordinal))
            {
                errors.Add($"misc.image '{miscImage.GetString()}' is not one of the images this Outpost allows ({(options.AllowedImages.Count == 0 ? "none" : string.Join(", ", options.AllowedImages))}).");
            }
            else
            {
                image = miscImage.GetString()!;
            }
        }
        if (spec.Misc.TryGetValue("mem_limit", out var miscMemory) && miscMemory.ValueKind != JsonValueKind.Null)
        {
            var text = miscMemory.ValueKind switch
            {
                JsonValueKind.String => miscMemory.GetString()!,
                JsonValueKind.Number => miscMemory.GetRawText(),
                _ => "",
            };
            var bytes = ByteQuantity.TryParse(text);
            if (bytes is not > 0)
            {
                errors.Add($"misc.mem_limit must be a size (bytes, or a number with K, M, G or T), not {miscMemory.GetRawText()}.");
            }
            else if (memoryBytes is { } ceiling && bytes > ceiling)
            {
                errors.Add($"misc.mem_limit {text} is more than the {memory} this server may have.");
            }
            else
            {
                memoryBytes = bytes;
            }
        }
        if (spec.Misc.TryGetValue("cpu_limit", out var miscCpu) && miscCpu.ValueKind != JsonValueKind.Null)
        {
            if (miscCpu.ValueKind != JsonValueKind.Number || !miscCpu.TryGetDouble(out var cores) || cores <= 0 || cores > 1024)
            {
                errors.Add($"misc.cpu_limit must be a number of cores above 0, not {miscCpu.GetRawText()}.");
            }
            else if (cpu is { } ceiling && cores > ceiling)
            {
                errors.Add($"misc.cpu_limit {cores.ToString(CultureInfo.InvariantCulture)} is more than the {ceiling.ToString(CultureInfo.InvariantCulture)} cores this server may have.");
            }
            else
            {
                cpu = cores;
            }
        }
        if (errors.Count > 0)
        {
            throw new BackendException("The hub's overrides for the container backend are not valid: " + string.Join(" ", errors));
        }
        return new ContainerSettings(image, environment, memoryBytes, cpu);
    }

    /// <summary>A reference the engine can pull: [registry[:port]/]path[:tag][@sha256:digest], in lower case except the tag.</summary>
    public static bool IsImageReference(string image) => ImageReference().IsMatch(image) && image.Length <= 255;

    [GeneratedRegex(@"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$")]
    private static partial Regex ImageReference();
}
