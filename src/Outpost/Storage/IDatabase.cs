namespace Outpost.Storage;

/// <summary>The configured database as a whole: where it is (for logs) and bringing its schema up to date.</summary>
public interface IDatabase
{
    /// <summary>"Sqlite" or "Postgres", as in <c>Outpost:Storage:Provider</c>.</summary>
    string Provider { get; }

    /// <summary>Where the database is, safe to log: never a password.</summary>
    string Location { get; }

    /// <summary>Applies the provider's pending migrations, all in one transaction.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs a trivial query on the schema (readiness); throws when the database does not answer.</summary>
    Task CheckAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="exception"/> from this database may go away by waiting (down, starting, overloaded).</summary>
    bool IsTransient(Exception exception);
}
