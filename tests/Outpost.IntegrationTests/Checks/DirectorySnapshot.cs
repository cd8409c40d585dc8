using System.Security.Cryptography;

namespace Outpost.IntegrationTests.Checks;

/// <summary>Every file under a folder with its size, modification time and hash: equal snapshots mean nothing was written.</summary>
internal sealed record DirectorySnapshot(bool Exists, IReadOnlyList<string> Files)
{
    public static DirectorySnapshot Take(string path) => !Directory.Exists(path)
        ? new DirectorySnapshot(false, [])
        : new DirectorySnapshot(true, [.. Directory.EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(entry => File.Exists(entry)
                ? $"{entry} {new FileInfo(entry).Length} {File.GetLastWriteTimeUtc(entry):O} {File.GetUnixFileMode(entry)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry)))}"
                : $"{entry}/ {File.GetUnixFileMode(entry)}")]);

    public bool Equals(DirectorySnapshot? other) => other is not null && Exists == other.Exists && Files.SequenceEqual(other.Files);

    public override int GetHashCode() => HashCode.Combine(Exists, Files.Count);

    public override string ToString() => Exists ? string.Join('\n', Files) : "(no folder)";
}
