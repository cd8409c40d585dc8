namespace Outpost.Tests.Storage.Sqlite;

public sealed class SqliteLeaseStoreTests : LeaseStoreTests<SqliteStoreFixture>;
