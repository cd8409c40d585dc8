using Outpost.Replicas;

namespace Outpost.Storage.Sqlite;

/// <summary><see cref="ServerStore"/> over SQLite: writes take turns in this process, inserts run in BEGIN IMMEDIATE transactions, polls are answered from memory.</summary>
public sealed class SqliteServerStore(SqliteDatabase database, ServerSpecCodec codec, ReplicaIdentity replica, TimeProvider time)
    : ServerStore(new SqliteDialect(database), codec, replica, time);
