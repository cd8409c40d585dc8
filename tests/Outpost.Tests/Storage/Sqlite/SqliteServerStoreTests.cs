namespace Outpost.Tests.Storage.Sqlite;

public sealed class SqliteServerStoreTests : ServerStoreTests<SqliteStoreFixture>;
