namespace Outpost.Servers;

/// <summary>Names of the environment variables of a start request that the Outpost itself reads.</summary>
public static class HubEnv
{
    public const string ApiToken = "JUPYTERHUB_API_TOKEN";
    public const string ApiUrl = "JUPYTERHUB_API_URL";
    public const string EventsUrl = "JUPYTERHUB_EVENTS_URL";
    public const string SetupTunnelUrl = "JUPYTERHUB_SETUPTUNNEL_URL";
    public const string FlavorsUpdateUrl = "JUPYTERHUB_FLAVORS_UPDATE_URL";
    public const string FlavorsUpdateToken = "JUPYTERHUB_FLAVORS_UPDATE_TOKEN";
    public const string RecreateForwardUrl = "JUPYTERHUB_RECREATEFORWARD_URL";
    public const string User = "JUPYTERHUB_USER";
    public const string UserId = "JUPYTERHUB_USER_ID";
    public const string ServiceUrl = "JUPYTERHUB_SERVICE_URL";
    public const string SslKeyFile = "JUPYTERHUB_SSL_KEYFILE";
    public const string SslCertFile = "JUPYTERHUB_SSL_CERTFILE";
    public const string SslClientCa = "JUPYTERHUB_SSL_CLIENT_CA";
}
