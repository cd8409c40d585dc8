namespace Outpost.Backends.Containers;

/// <summary>When a start pulls the server's image.</summary>
public enum ContainerPullPolicy
{
    /// <summary>Pull only when the engine does not have the image.</summary>
    IfNotPresent,

    /// <summary>Pull before every start (a moving tag such as "latest" is then always current).</summary>
    Always,

    /// <summary>Never pull; a missing image fails the start.</summary>
    Never,
}
