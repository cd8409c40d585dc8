using Outpost.Replicas;

namespace Outpost.Storage.Postgres;

/// <summary><see cref="ServerStore"/> over PostgreSQL, shared by every replica (see <see cref="PostgresDialect"/>).</summary>
public sealed class PostgresServerStore(PostgresDatabase database, ServerSpecCodec codec, ReplicaIdentity replica, TimeProvider time)
    : ServerStore(new PostgresDialect(database), codec, replica, time);
