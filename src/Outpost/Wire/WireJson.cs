using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Outpost.Servers;

namespace Outpost.Wire;

/// <summary>
/// The JSON of bodies the Outpost writes itself (not through a minimal API's return value): the options ASP.NET Core
/// answers with, so every answer is byte for byte alike, with <see cref="WireJsonContext"/>'s generated code.
/// </summary>
internal static class WireJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // ASP.NET Core's choice for response bodies: they go to API clients, never into HTML, so "'" stays "'".
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = WireJsonContext.Default,
    };

    public static readonly JsonTypeInfo<Dictionary<string, string>> Strings = Info<Dictionary<string, string>>();

    public static readonly JsonTypeInfo<WireError> Error = Info<WireError>();

    public static readonly JsonTypeInfo<string[]> StringArray = Info<string[]>();

    private static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
}
