using Outpost.Flavors;

namespace Outpost.Hosting;

public sealed partial class OriginalOutpostSettings
{
    private const string Usernames = "usernames";
    private const string Passwords = "passwords";
    private const string CryptKey = "OUTPOST_CRYPT_KEY";
    private const string SqlType = "SQL_TYPE";
    private const string SqlHost = "SQL_HOST";
    private const string SqlPort = "SQL_PORT";
    private const string SqlDatabase = "SQL_DATABASE";
    private const string SqlUser = "SQL_USER";
    private const string SqlPassword = "SQL_PASSWORD";
    private const string CheckServices = "CHECK_SERVICES";
    private const string CleanupNames = "JUPYTERHUB_CLEANUP_NAMES";
    private const string CleanupUrls = "JUPYTERHUB_CLEANUP_URLS";
    private const string CleanupTokens = "JUPYTERHUB_CLEANUP_TOKENS";
    private const string CleanupSleepTimer = "JUPYTERHUB_CLEANUP_SLEEP_TIMER";
    private const string CheckEndDates = "CHECK_ENDDATES";
    private const string EndDatesSleepTimer = "JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER";
    private const string BasePath = "OUTPOST_BASE_PATH";

    /// <summary>
    /// Every variable the original reads that an operator may have set; the ones set but not used are reported
    /// (docs/migrate-from-outpost.md says why each is not used). Generic names (DEBUG) are left out.
    /// </summary>
    private static readonly string[] KnownVariables =
    [
        Usernames, Passwords, CryptKey, BasePath, OriginalFlavorsFile.Variable,
        SqlType, SqlHost, SqlPort, SqlDatabase, SqlUser, SqlPassword, "SQL_DATABASE_URL",
        CheckServices, CleanupNames, CleanupUrls, CleanupTokens, CleanupSleepTimer,
        "JUPYTERHUB_CLEANUP_K8S_CHECK", "JUPYTERHUB_CLEANUP_NAMESPACE",
        CheckEndDates, EndDatesSleepTimer,
        "OUTPOST_CONFIG_FILE", "OUTPOST_CREDITS_PATH", "LOGGING_CONFIG_PATH", "LOGGER_NAME",
        "GUNICORN_CONFIG_FILE", "GUNICORN_PROCESSES", "GUNICORN_THREADS", "GUNICORN_TIMEOUT",
        "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER", "SSHD_LOG_PATH",
    ];
}
