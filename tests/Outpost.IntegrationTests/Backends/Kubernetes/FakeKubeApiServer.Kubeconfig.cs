namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>Kubeconfig files pointing at the fake, written as an operator would, for code that takes a kubeconfig path.</summary>
public sealed partial class FakeKubeApiServer
{
    private readonly Lazy<string> _kubeconfigFolder = new(() => Directory.CreateTempSubdirectory("fake-kubeconfig-").FullName);

    /// <summary>
    /// Writes a kubeconfig whose context points at this server in namespace <paramref name="ns"/> and returns its path;
    /// the file goes with the server. It logs in with the static token <c>fake-token</c>, or with
    /// <paramref name="execToken"/> given, through an exec credential plugin (the login of EKS, GKE and AKS
    /// kubeconfigs): a script that prints an ExecCredential carrying that token.
    /// </summary>
    public string WriteKubeconfig(string ns, string? execToken = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_kubeconfigFolder.Value, Guid.NewGuid().ToString("N"))).FullName;
        var user = "token: fake-token";
        if (execToken is not null)
        {
            var script = Path.Combine(folder, "credential");
            var credential = "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"kind\": \"ExecCredential\", \"status\": {\"token\": \"" + execToken + "\"}}";
            File.WriteAllText(script, $"#!/bin/sh\nprintf '%s' '{credential}'\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            user = $"exec: {{apiVersion: client.authentication.k8s.io/v1, command: \"{script}\", interactiveMode: Never}}";
        }
        var kubeconfig = Path.Combine(folder, "config");
        File.WriteAllText(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters:
            - name: fake
              cluster:
                server: "{Address}"
            users:
            - name: outpost
              user:
                {user}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: outpost
                namespace: {ns}
            """);
        return kubeconfig;
    }

    private void DeleteKubeconfigs()
    {
        if (_kubeconfigFolder.IsValueCreated)
        {
            Directory.Delete(_kubeconfigFolder.Value, recursive: true);
        }
    }
}
