namespace Outpost.Tests.Storage.Sqlite;

public sealed class SqliteEventOutboxTests : EventOutboxTests<SqliteStoreFixture>;
