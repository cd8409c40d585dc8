using System.Text.Json;
using Outpost.Servers;

namespace Outpost.Wire;

/// <summary>A request body read as JSON: <see cref="Value"/> unless it is <see cref="Invalid"/> or <see cref="TooLarge"/>.</summary>
internal readonly record struct JsonBody(JsonElement Value, ValidationProblem? Invalid, bool TooLarge);
