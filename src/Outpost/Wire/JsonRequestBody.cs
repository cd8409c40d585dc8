using System.Text.Json;
using Outpost.Servers;

namespace Outpost.Wire;

/// <summary>
/// Reads a request's JSON body whatever its declared content type (the original Outpost did, and the original
/// hub-side spawner sends Tornado's form content type). A body that is not JSON, is not valid UTF-8, or holds a
/// string that is not valid text (a lone surrogate such as <c>"\ud800"</c>) is a 422 naming where; one over the
/// size limit is a 413 with a JSON body. Later code may then call <c>GetString()</c> anywhere without a 500.
/// </summary>
internal static class JsonRequestBody
{
    private const int MaxDepth = 64;
    private const int MaxErrors = 50;

    /// <summary>The parsed body, or why it cannot be read: invalid (a 422) or over the size limit (a 413).</summary>
    public static async Task<ReadResult> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = MaxDepth }, cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return new(default, new ValidationProblem([new FieldError("json_invalid", ["body", $"line {ex.LineNumber + 1}"], "The body is not valid JSON.")]), TooLarge: false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(default, null, TooLarge: true);
        }
        var errors = InvalidText(body);
        return errors.Count > 0 ? new(default, new ValidationProblem(errors), TooLarge: false) : new(body, null, TooLarge: false);
    }

    /// <summary>Every string or property name that cannot be read as text (at most <see cref="MaxErrors"/>), with its location.</summary>
    internal static List<FieldError> InvalidText(JsonElement body)
    {
        var errors = new List<FieldError>();
        Collect(body, ["body"], errors);
        return errors;
    }

    private static void Collect(JsonElement element, List<string> path, List<FieldError> errors)
    {
        if (errors.Count >= MaxErrors)
        {
            return;
        }
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                if (!IsText(element))
                {
                    errors.Add(Error(path, "is not valid text (invalid UTF-8 or a lone surrogate)"));
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    path.Add(index++.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    Collect(item, path, errors);
                    path.RemoveAt(path.Count - 1);
                }
                break;
            case JsonValueKind.Object:
                var position = 0;
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        // The key cannot be shown, so its position names it; its value is not looked at.
                        errors.Add(Error([.. path, $"key {position++}"], "is a key that is not valid text (invalid UTF-8 or a lone surrogate)"));
                        continue;
                    }
                    path.Add(name);
                    Collect(property.Value, path, errors);
                    path.RemoveAt(path.Count - 1);
                    position++;
                }
                break;
        }
    }

    private static bool IsText(JsonElement element)
    {
        try
        {
            element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static FieldError Error(List<string> path, string message) => new("string_unicode", [.. path], message);

    /// <summary>A request body read as JSON: <see cref="Value"/> unless it is <see cref="Invalid"/> or <see cref="TooLarge"/>.</summary>
    public readonly record struct ReadResult(JsonElement Value, ValidationProblem? Invalid, bool TooLarge);
}
