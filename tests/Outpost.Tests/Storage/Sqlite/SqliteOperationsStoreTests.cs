namespace Outpost.Tests.Storage.Sqlite;

public sealed class SqliteOperationsStoreTests : OperationsStoreTests<SqliteStoreFixture>;
