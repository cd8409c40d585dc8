using System.Text;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// A JSON document written byte by byte, so a generator can put what .NET strings cannot hold into it:
/// invalid UTF-8 bytes and lone-surrogate escapes (<c>"\ud800"</c> is valid JSON syntax but not a valid string).
/// </summary>
public abstract record RawJson
{
    public abstract void WriteTo(List<byte> output);

    public byte[] ToBytes()
    {
        var output = new List<byte>();
        WriteTo(output);
        return [.. output];
    }

    public static RawJson Null { get; } = new Literal("null");

    public static RawJson Number(string text) => new Literal(text);

    public static RawJson Bool(bool value) => new Literal(value ? "true" : "false");

    public static RawJson Object(params (Text Key, RawJson Value)[] members) => new ObjectValue(members);

    public static RawJson Array(params RawJson[] items) => new ArrayValue(items);

    /// <summary>A string value; <see cref="Text"/> converts from C# strings.</summary>
    public static RawJson String(Text text) => new StringValue(text);

    /// <summary>true when every string in the document is valid text (no invalid UTF-8, no lone surrogate).</summary>
    public abstract bool IsValidText { get; }

    public sealed record Literal(string Text) : RawJson
    {
        public override bool IsValidText => true;

        public override void WriteTo(List<byte> output) => output.AddRange(Encoding.ASCII.GetBytes(Text));
    }

    public sealed record StringValue(Text Text) : RawJson
    {
        public override bool IsValidText => Text.IsValid;

        public override void WriteTo(List<byte> output) => Text.WriteQuoted(output);
    }

    public sealed record ArrayValue(IReadOnlyList<RawJson> Items) : RawJson
    {
        public override bool IsValidText => Items.All(i => i.IsValidText);

        public override void WriteTo(List<byte> output)
        {
            output.Add((byte)'[');
            for (var i = 0; i < Items.Count; i++)
            {
                if (i > 0)
                {
                    output.Add((byte)',');
                }
                Items[i].WriteTo(output);
            }
            output.Add((byte)']');
        }
    }

    public sealed record ObjectValue(IReadOnlyList<(Text Key, RawJson Value)> Members) : RawJson
    {
        public override bool IsValidText => Members.All(m => m.Key.IsValid && m.Value.IsValidText);

        public override void WriteTo(List<byte> output)
        {
            output.Add((byte)'{');
            for (var i = 0; i < Members.Count; i++)
            {
                if (i > 0)
                {
                    output.Add((byte)',');
                }
                Members[i].Key.WriteQuoted(output);
                output.Add((byte)':');
                Members[i].Value.WriteTo(output);
            }
            output.Add((byte)'}');
        }

        public RawJson With(string key, RawJson value) =>
            new ObjectValue([.. Members.Where(m => m.Key.Plain != key), (key, value)]);

        public RawJson? Get(string key) => Members.LastOrDefault(m => m.Key.Plain == key).Value;
    }
}

/// <summary>
/// The inside of a JSON string as bytes (already escaped), plus whether it is valid text.
/// <see cref="Plain"/> holds the C# string when the text came from one.
/// </summary>
public sealed record Text(byte[] Escaped, bool IsValid, string? Plain)
{
    public static implicit operator Text(string value) => FromString(value);

    public static Text FromString(string value)
    {
        var output = new List<byte>();
        Span<byte> buffer = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': output.AddRange("\\\""u8.ToArray()); break;
                case '\\': output.AddRange("\\\\"u8.ToArray()); break;
                case < 0x20: output.AddRange(Encoding.ASCII.GetBytes($"\\u{rune.Value:x4}")); break;
                default:
                    output.AddRange(buffer[..rune.EncodeToUtf8(buffer)].ToArray());
                    break;
            }
        }
        return new Text([.. output], IsValid: true, value);
    }

    /// <summary><paramref name="prefix"/>, then raw bytes that are not UTF-8 (or a lone-surrogate escape), then <paramref name="suffix"/>.</summary>
    public static Text Broken(string prefix, byte[] rawInvalid, string suffix = "") =>
        new([.. FromString(prefix).Escaped, .. rawInvalid, .. FromString(suffix).Escaped], IsValid: false, Plain: null);

    public void WriteQuoted(List<byte> output)
    {
        output.Add((byte)'"');
        output.AddRange(Escaped);
        output.Add((byte)'"');
    }

    public override string ToString() => Display.Bytes(Escaped, 80);
}

/// <summary>Shows bytes for a reproduction: printable ASCII as is, everything else as \xNN, long values cut.</summary>
public static class Display
{
    public static string Bytes(ReadOnlySpan<byte> bytes, int max = 400)
    {
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, max)])
        {
            text.Append(b is >= 0x20 and < 0x7f and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:X2}");
        }
        if (bytes.Length > max)
        {
            text.Append($"…({bytes.Length} bytes)");
        }
        return text.ToString();
    }

    public static string Short(string value, int max = 120) =>
        value.Length <= max ? value : $"{value[..max]}…({value.Length} chars)";
}
