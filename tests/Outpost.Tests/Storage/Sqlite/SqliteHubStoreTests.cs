namespace Outpost.Tests.Storage.Sqlite;

public sealed class SqliteHubStoreTests : HubStoreTests<SqliteStoreFixture>;
