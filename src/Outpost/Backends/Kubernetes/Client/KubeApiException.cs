using System.Net;
using k8s;
using k8s.Models;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// A request the Kubernetes API refused or failed. The message names the RBAC verb and resource involved,
/// so a 403 tells an operator exactly which rule the Outpost's service account lacks.
/// </summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException(
        HttpStatusCode statusCode, string verb, string resource, string ns, string? name, V1Status? status, Exception? inner = null)
        : base(Describe(statusCode, verb, resource, ns, name, status), inner)
    {
        StatusCode = statusCode;
        Verb = verb;
        Resource = resource;
        Namespace = ns;
        Name = name;
        Status = status;
    }

    /// <summary>HTTP status, or the <c>code</c> of a watch ERROR event.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The RBAC verb of the request: get, list, watch, create, update, patch or delete.</summary>
    public string Verb { get; }

    /// <summary>The RBAC resource, with a subresource when there is one (e.g. <c>pods/log</c>).</summary>
    public string Resource { get; }

    public string Namespace { get; }

    public string? Name { get; }

    /// <summary>The API's Status body, when it sent one.</summary>
    public V1Status? Status { get; }

    /// <summary>The API's machine-readable reason (AlreadyExists, NotFound, Forbidden, Expired ...), if any.</summary>
    public string? Reason => Status?.Reason;

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    public bool IsConflict => StatusCode == HttpStatusCode.Conflict;

    /// <summary>410 Gone: the resourceVersion a watch asked for is no longer kept; list again.</summary>
    public bool IsGone => StatusCode == HttpStatusCode.Gone;

    private static string Describe(HttpStatusCode code, string verb, string resource, string ns, string? name, V1Status? status)
    {
        var target = name is null ? $"{resource} in namespace '{ns}'" : $"{resource} '{name}' in namespace '{ns}'";
        var detail = string.IsNullOrWhiteSpace(status?.Message) ? "" : $" The API said: {status.Message}";
        return code switch
        {
            HttpStatusCode.Forbidden =>
                $"Kubernetes refused to {verb} {target} (403 Forbidden): the Outpost's service account needs RBAC permission " +
                $"for verb '{verb}' on resource '{resource}' in namespace '{ns}'.{detail}",
            HttpStatusCode.Unauthorized =>
                $"Kubernetes did not accept the Outpost's credentials when trying to {verb} {target} (401 Unauthorized).{detail}",
            HttpStatusCode.NotFound => $"Kubernetes has no {target} (404 Not Found).{detail}",
            HttpStatusCode.Conflict => $"Kubernetes could not {verb} {target}: it conflicts with an existing object (409 Conflict).{detail}",
            HttpStatusCode.Gone => $"The watch on {resource} in namespace '{ns}' asked for a resourceVersion that is no longer kept (410 Gone).{detail}",
            _ => $"Kubernetes failed to {verb} {target} ({(int)code} {code}).{detail}",
        };
    }
}
